package org.imdp.sipmsrp.msrp;

import java.time.Duration;
import java.util.Objects;

import org.imdp.sipmsrp.msrp.codec.MsrpFrameDecoder;

/**
 * Settings of {@link NettyMsrpSessions}.
 *
 * @param host               address to listen on; also the authority of our {@code a=path} URIs
 * @param port               TCP port to listen on; 0 picks a free one (see {@link NettyMsrpSessions#port()})
 * @param connectTimeout     limit for a TCP connect to the peer (default {@link #DEFAULT_CONNECT_TIMEOUT}, as
 *                           python-msrplib)
 * @param transactionTimeout how long a SEND waits for its response before it counts as 408 (default
 *                           {@link #DEFAULT_TRANSACTION_TIMEOUT}, RFC 4975 §7.1.1); also how long an accepted
 *                           connection may stay silent before its first request
 * @param chunkSize          largest body of one SEND (default {@link #DEFAULT_CHUNK_SIZE}, 10 KiB: a SEND frame
 *                           with its headers stays under the 11,238 octets Kamailio's msrp module routes in one
 *                           frame, and an ordinary CPIM-wrapped IM still fits in one SEND)
 * @param window             SEND chunks of one message in flight, written before their 200 OK came (default
 *                           {@link #DEFAULT_WINDOW}); 1 is stop-and-wait
 * @param maxBodySize        largest body accepted from the peer in one frame (default
 *                           {@link MsrpFrameDecoder#DEFAULT_MAX_BODY_SIZE})
 * @param successReport      message SENDs ask for {@code Success-Report: yes} and a message counts as delivered
 *                           only on its REPORT {@code 000 200} (default false: on the 200 OK of its last chunk)
 * @param maxUnbound         accepted connections at once that have not bound to a session yet (default
 *                           {@link #DEFAULT_MAX_UNBOUND}); one over it is closed at once
 * @param unboundMaxBytes    octets an accepted connection may send before it bound (default
 *                           {@link #DEFAULT_UNBOUND_MAX_BYTES}); past them it is closed
 */
public record MsrpSessionsConfig(String host, int port, Duration connectTimeout, Duration transactionTimeout,
        int chunkSize, int window, int maxBodySize, boolean successReport, int maxUnbound, int unboundMaxBytes) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_CHUNK_SIZE = 10 * 1024;
    public static final int DEFAULT_WINDOW = 16;
    public static final int DEFAULT_MAX_UNBOUND = 32;
    public static final int DEFAULT_UNBOUND_MAX_BYTES = 16 * 1024;

    public MsrpSessionsConfig {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(transactionTimeout, "transactionTimeout");
        if (chunkSize <= 0) {
            throw new IllegalArgumentException("chunkSize must be positive: " + chunkSize);
        }
        if (window <= 0) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        if (maxBodySize <= 0) {
            throw new IllegalArgumentException("maxBodySize must be positive: " + maxBodySize);
        }
        if (maxUnbound <= 0) {
            throw new IllegalArgumentException("maxUnbound must be positive: " + maxUnbound);
        }
        if (unboundMaxBytes <= 0) {
            throw new IllegalArgumentException("unboundMaxBytes must be positive: " + unboundMaxBytes);
        }
    }

    /** The defaults, listening on {@code host:port}. */
    public static MsrpSessionsConfig of(String host, int port) {
        return new MsrpSessionsConfig(host, port, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TRANSACTION_TIMEOUT,
                DEFAULT_CHUNK_SIZE, DEFAULT_WINDOW, MsrpFrameDecoder.DEFAULT_MAX_BODY_SIZE, false, DEFAULT_MAX_UNBOUND,
                DEFAULT_UNBOUND_MAX_BYTES);
    }

    public MsrpSessionsConfig withConnectTimeout(Duration value) {
        return new MsrpSessionsConfig(host, port, value, transactionTimeout, chunkSize, window, maxBodySize,
                successReport, maxUnbound, unboundMaxBytes);
    }

    public MsrpSessionsConfig withTransactionTimeout(Duration value) {
        return new MsrpSessionsConfig(host, port, connectTimeout, value, chunkSize, window, maxBodySize,
                successReport, maxUnbound, unboundMaxBytes);
    }

    public MsrpSessionsConfig withChunkSize(int value) {
        return new MsrpSessionsConfig(host, port, connectTimeout, transactionTimeout, value, window, maxBodySize,
                successReport, maxUnbound, unboundMaxBytes);
    }

    public MsrpSessionsConfig withWindow(int value) {
        return new MsrpSessionsConfig(host, port, connectTimeout, transactionTimeout, chunkSize, value, maxBodySize,
                successReport, maxUnbound, unboundMaxBytes);
    }

    public MsrpSessionsConfig withMaxBodySize(int value) {
        return new MsrpSessionsConfig(host, port, connectTimeout, transactionTimeout, chunkSize, window, value,
                successReport, maxUnbound, unboundMaxBytes);
    }

    public MsrpSessionsConfig withSuccessReport(boolean value) {
        return new MsrpSessionsConfig(host, port, connectTimeout, transactionTimeout, chunkSize, window, maxBodySize,
                value, maxUnbound, unboundMaxBytes);
    }

    public MsrpSessionsConfig withUnboundLimits(int maxConnections, int maxBytes) {
        return new MsrpSessionsConfig(host, port, connectTimeout, transactionTimeout, chunkSize, window, maxBodySize,
                successReport, maxConnections, maxBytes);
    }

    private static void requirePositive(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
