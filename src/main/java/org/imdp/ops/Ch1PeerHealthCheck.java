package org.imdp.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.imdp.ch1.Ch1Endpoint;

/**
 * Every CH-1 endpoint in use has at least one Charging Enabler peer with an OPEN Diameter connection; shown in
 * {@code /observe/health}. Neither readiness nor liveness: while it is DOWN the service still takes in, stores and
 * pushes (charging records wait durably and are charged when a peer is back), so a Charging Enabler outage is no
 * reason to take this service out of a load balancer, nor to restart it.
 */
final class Ch1PeerHealthCheck extends DetailHealthCheck {

    Ch1PeerHealthCheck() {
        super("ch1-peers");
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<String> down = new ArrayList<>();
        List<String> open = new ArrayList<>();
        try {
            for (Endpoint endpoint : getCamelContext().getEndpoints()) {
                if (endpoint instanceof Ch1Endpoint ch1) {
                    List<String> peers = ch1.getOpenPeers();
                    if (peers.isEmpty()) {
                        down.add(ch1.getName() + ": no open peer of " + ch1.getPeers());
                    } else {
                        open.add(ch1.getName() + ": " + String.join(",", peers));
                    }
                }
            }
        } catch (Exception e) {
            builder.down().message("CH-1 peer state unknown: " + e.getMessage()).error(e);
            return;
        }
        builder.detail("open", String.join("; ", open));
        if (down.isEmpty()) {
            builder.up();
        } else {
            builder.down().message(String.join("; ", down));
        }
    }
}
