package org.imdp.ops;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.imdp.ch1.Ch1Endpoint;

/** JMX {@code org.imdp:type=charging}: charging events waiting, dead-lettered, and the CH-1 peers. */
@ManagedResource(description = "Charging over CH-1 (Diameter Rf)")
public final class ManagedCharging {

    private final CamelContext context;
    private final ChargingBacklog backlog;
    private final ServiceMetrics metrics;

    ManagedCharging(CamelContext context, ChargingBacklog backlog, ServiceMetrics metrics) {
        this.context = context;
        this.backlog = backlog;
        this.metrics = metrics;
    }

    @ManagedAttribute(description = "Charging events waiting for a 2001 ACA (records in the store and messages on the charging queue)")
    public long getEventsPending() throws Exception {
        return backlog.pending();
    }

    @ManagedAttribute(description = "Charging events refused for good (messages on the charging dead-letter queue)")
    public long getEventsDeadLettered() throws Exception {
        return backlog.deadLettered();
    }

    @ManagedAttribute(description = "CH-1 requests answered, since start")
    public long getRequestsAnswered() {
        return metrics.chargingAnswered();
    }

    @ManagedAttribute(description = "CH-1 requests failed (to be retried or dead-lettered), since start")
    public long getRequestsFailed() {
        return metrics.chargingFailed();
    }

    @ManagedAttribute(description = "CH-1 peers: OPEN connections per endpoint, or none")
    public String getPeerState() throws Exception {
        List<String> state = new ArrayList<>();
        for (Endpoint endpoint : context.getEndpoints()) {
            if (endpoint instanceof Ch1Endpoint ch1) {
                List<String> open = ch1.getOpenPeers();
                state.add(ch1.getName() + " (" + ch1.getPeers() + "): "
                          + (open.isEmpty() ? "no open peer" : "open " + String.join(",", open)));
            }
        }
        return state.isEmpty() ? "no CH-1 endpoint" : String.join("; ", state);
    }
}
