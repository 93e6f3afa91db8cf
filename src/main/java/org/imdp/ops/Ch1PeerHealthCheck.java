package org.imdp.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.imdp.ch1.Ch1Endpoint;

/**
 * Readiness: every CH-1 endpoint in use has at least one Charging Enabler peer with an OPEN Diameter connection.
 * While it is DOWN the service still stores and pushes; charging events wait on {@code im.charging} and are sent
 * when a peer is back. Not a liveness check: a Charging Enabler outage is no reason to restart this service.
 */
final class Ch1PeerHealthCheck extends AbstractHealthCheck {

    Ch1PeerHealthCheck() {
        super("imdp", "ch1-peers");
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
