package org.imdp.ops;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.imdp.ch1.Ch1Configuration;
import org.imdp.ch1.Ch1Endpoint;
import org.imdp.ch1.peer.PeerGroup;

/**
 * A Charging Enabler outage as an operator alerts on it: per configured CH-1 peer, whether its Diameter connection is
 * OPEN ({@code imdp_ch1_peer_up{peer="host:port"}}, 1 or 0) and how long it has been down
 * ({@code imdp_ch1_peer_down_seconds}); and, for all peers together (any OPEN peer takes any event), the age of the
 * oldest charging event not charged yet ({@code imdp_charging_oldest_pending_seconds}, next to the count
 * {@code imdp_charging_pending}). Read at each scrape; NaN while unknown (no CH-1 producer started yet, the store or
 * the broker cannot be read).
 */
final class Ch1PeerGauges {

    private Ch1PeerGauges() {
    }

    static void register(MeterRegistry meters, CamelContext context, String configuredPeers, ChargingBacklog backlog) {
        Ch1Configuration peers = new Ch1Configuration();
        peers.setPeers(configuredPeers);
        for (InetSocketAddress address : peers.peerAddresses()) {
            String peer = PeerGroup.peerName(address);
            Gauge.builder("imdp.ch1.peer.up", () -> status(context, peer).map(s -> s.open() ? 1.0 : 0.0).orElse(Double.NaN))
                    .description("1 while the Diameter connection to this Charging Enabler peer is OPEN, else 0")
                    .tag("peer", peer).register(meters);
            Gauge.builder("imdp.ch1.peer.down", () -> status(context, peer)
                            .map(s -> s.downFor().toMillis() / 1000.0).orElse(Double.NaN))
                    .description("Seconds since this Charging Enabler peer went down (first failed connection attempt or"
                                 + " lost connection); 0 while it is OPEN")
                    .baseUnit("seconds").tag("peer", peer).register(meters);
        }
        Gauge.builder("imdp.charging.oldest.pending", () -> {
            try {
                return backlog.oldestPendingAge().toMillis() / 1000.0;
            } catch (Exception e) {
                return Double.NaN;
            }
        }).description("Age of the oldest charging event waiting for a 2001 ACA (in the store or on the charging queue); 0"
                       + " when none waits").baseUnit("seconds").register(meters);
    }

    /** Every CH-1 peer of every CH-1 endpoint in use, in order of preference. */
    static List<PeerGroup.PeerStatus> statuses(CamelContext context) throws Exception {
        List<PeerGroup.PeerStatus> all = new ArrayList<>();
        for (Endpoint endpoint : context.getEndpoints()) {
            if (endpoint instanceof Ch1Endpoint ch1) {
                all.addAll(ch1.peerStatus());
            }
        }
        return all;
    }

    private static Optional<PeerGroup.PeerStatus> status(CamelContext context, String peer) {
        try {
            return statuses(context).stream().filter(s -> s.peer().equals(peer)).findFirst();
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
