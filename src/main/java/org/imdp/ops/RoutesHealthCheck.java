package org.imdp.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * Every route started; shown in {@code /observe/health} (with the routes that are not, and their state), in neither
 * readiness nor liveness. It stands for Camel's own route and consumer checks (switched off in the configuration),
 * which are in readiness: there, an operator who stops the {@code charging} route during a Charging Enabler's
 * maintenance, or a push route, would take an instance out of a load balancer although it still takes in and stores
 * every message. What readiness needs of the routes is that the SIP ones listen ({@code sip-listening-points}); the
 * JMS ones compete for their queues whatever a load balancer does.
 */
final class RoutesHealthCheck extends DetailHealthCheck {

    RoutesHealthCheck() {
        super("routes");
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        List<String> notStarted = new ArrayList<>();
        int started = 0;
        for (Route route : getCamelContext().getRoutes()) {
            ServiceStatus status = getCamelContext().getRouteController().getRouteStatus(route.getRouteId());
            if (status == ServiceStatus.Started) {
                started++;
            } else {
                notStarted.add(route.getRouteId() + " " + status);
            }
        }
        builder.detail("started", started);
        if (notStarted.isEmpty()) {
            builder.up();
        } else {
            builder.detail("not-started", String.join(", ", notStarted));
            builder.down().message("not started: " + String.join(", ", notStarted));
        }
    }
}
