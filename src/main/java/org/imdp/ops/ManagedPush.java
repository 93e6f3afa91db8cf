package org.imdp.ops;

import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.imdp.ops.ServiceMetrics.Outcome;
import org.imdp.registration.Registrations;

/** JMX {@code org.imdp:type=push}: push sessions of this instance since start, and the registrations now. */
@ManagedResource(description = "Push sessions (SIP INVITE, MSRP SENDs, BYE)")
public final class ManagedPush {

    private final ServiceMetrics metrics;
    private final Registrations registrations;

    ManagedPush(ServiceMetrics metrics, Registrations registrations) {
        this.metrics = metrics;
        this.registrations = registrations;
    }

    @ManagedAttribute(description = "Push sessions running now")
    public int getActiveSessions() {
        return metrics.activeSessions();
    }

    @ManagedAttribute(description = "Push sessions that delivered every message")
    public long getSessionsDelivered() {
        return metrics.sessions(Outcome.DELIVERED);
    }

    @ManagedAttribute(description = "Push sessions that reached BYE with messages left unacknowledged (they stay stored)")
    public long getSessionsPartial() {
        return metrics.sessions(Outcome.PARTIAL);
    }

    @ManagedAttribute(description = "Push sessions that failed before BYE: INVITE refused or unanswered, no MSRP (all stay stored)")
    public long getSessionsFailed() {
        return metrics.sessions(Outcome.FAILED);
    }

    @ManagedAttribute(description = "Stored messages sent in MSRP SENDs")
    public long getMessagesSent() {
        return metrics.messagesSent();
    }

    @ManagedAttribute(description = "Stored messages acknowledged with MSRP 200 OK")
    public long getMessagesDelivered() {
        return metrics.messagesDelivered();
    }

    @ManagedAttribute(description = "Stored messages the client refused for good (moved to im.deferred.refused)")
    public long getMessagesRefusedByClient() {
        return metrics.messagesRefused();
    }

    @ManagedAttribute(description = "Recipients registered now (in the store: on every instance sharing it)")
    public long getRegistrations() throws Exception {
        return registrations.size();
    }
}
