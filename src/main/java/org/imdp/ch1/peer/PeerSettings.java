package org.imdp.ch1.peer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import io.netty.handler.ssl.SslContext;

/**
 * What a {@link PeerGroup} needs to act as a Diameter client, free of Camel types.
 *
 * @param peers             in order of preference: the first is the primary
 * @param hostIpAddress     Host-IP-Address of the CER; null = the local address of each connection
 * @param firmwareRevision  Firmware-Revision of the CER; null = not sent
 * @param tls               TLS from connect (RFC 6733 §13) with this client context; null = plain TCP
 */
public record PeerSettings(List<InetSocketAddress> peers, String originHost, String originRealm, InetAddress hostIpAddress,
        long vendorId, String productName, Long firmwareRevision, Duration requestTimeout, Duration connectTimeout,
        Duration watchdogInterval, Duration reconnectDelayMin, Duration reconnectDelayMax, Duration disconnectTimeout,
        int maxFrameSize, SslContext tls) {

    public PeerSettings {
        peers = List.copyOf(peers);
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("at least one peer is needed");
        }
    }
}
