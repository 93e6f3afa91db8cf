package org.imdp.ops;

import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * A check shown in {@code /observe/health} with its details, in neither liveness nor readiness: what it reports (a
 * Charging Enabler away, a full store) is for an operator's alert, never a reason to restart the service or take it
 * out of a load balancer, because it still takes in, stores and pushes.
 */
abstract class DetailHealthCheck extends AbstractHealthCheck {

    DetailHealthCheck(String id) {
        super("imdp", id);
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }
}
