package org.imdp.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;

import org.apache.camel.Endpoint;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.imdp.ch1.Ch1Endpoint;
import org.imdp.ch1.peer.PeerGroup;

/**
 * Every CH-1 endpoint in use has at least one Charging Enabler peer with an OPEN Diameter connection; shown in
 * {@code /observe/health} with each peer's state ({@code peer <host:port>}: {@code up}, or {@code down for N s, M failed
 * connection attempts}) and the charging events waiting meanwhile ({@code charging-pending},
 * {@code charging-oldest-pending-seconds}). Neither readiness nor liveness: while it is DOWN the service still takes
 * in, stores and pushes (charging records wait durably and are charged when a peer is back), so a Charging Enabler
 * outage is no reason to take this service out of a load balancer, nor to restart it. The gauges of
 * {@link Ch1PeerGauges} say the same for alerts. The waiting events are counted within a timeout
 * ({@link DetailHealthCheck#read}).
 */
final class Ch1PeerHealthCheck extends DetailHealthCheck {

    private final ChargingBacklog backlog;

    Ch1PeerHealthCheck(ChargingBacklog backlog, ExecutorService executor, long timeoutMillis) {
        super("ch1-peers", executor, timeoutMillis);
        this.backlog = backlog;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<String> down = new ArrayList<>();
        List<String> open = new ArrayList<>();
        try {
            for (Endpoint endpoint : getCamelContext().getEndpoints()) {
                if (endpoint instanceof Ch1Endpoint ch1) {
                    List<PeerGroup.PeerStatus> peers = ch1.peerStatus();
                    List<String> openHere = peers.stream().filter(PeerGroup.PeerStatus::open)
                            .map(PeerGroup.PeerStatus::peer).toList();
                    if (openHere.isEmpty()) {
                        down.add(ch1.getName() + ": no open peer of " + ch1.getPeers());
                    } else {
                        open.add(ch1.getName() + ": " + String.join(",", openHere));
                    }
                    for (PeerGroup.PeerStatus peer : peers) {
                        builder.detail("peer " + peer.peer(), peer.open() ? "up" : "down for "
                                + peer.downFor().toSeconds() + " s, " + peer.failures() + " failed connection attempt(s)");
                    }
                }
            }
        } catch (Exception e) {
            builder.down().message("CH-1 peer state unknown: " + e.getMessage()).error(e);
            return;
        }
        builder.detail("open", String.join("; ", open));
        String waiting;
        try {
            long[] backlogNow = read(() -> new long[] {backlog.pending(), backlog.oldestPendingAge().toSeconds()});
            builder.detail("charging-pending", backlogNow[0]).detail("charging-oldest-pending-seconds", backlogNow[1]);
            waiting = backlogNow[0] + " charging event(s) wait, the oldest for " + backlogNow[1] + " s";
        } catch (Exception e) {
            waiting = "the charging events waiting cannot be counted: " + e.getMessage();
        }
        if (down.isEmpty()) {
            builder.up();
        } else {
            builder.down().message(String.join("; ", down) + "; " + waiting
                                   + "; they are charged when a peer is back (not in readiness: messages are still"
                                   + " taken in, stored and pushed)");
        }
    }
}
