package org.imdp.ops;

import java.util.Map;

import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedOperation;
import org.apache.camel.api.management.ManagedResource;
import org.imdp.store.DeferredStore;
import org.imdp.store.Recipients;

/** JMX {@code org.imdp:type=store}: what is stored, read from the store at each call. */
@ManagedResource(description = "Deferred message store")
public final class ManagedStore {

    private final DeferredStore store;
    private final ServiceMetrics metrics;

    ManagedStore(DeferredStore store, ServiceMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
    }

    @ManagedAttribute(description = "Messages stored for all recipients")
    public long getStoredMessages() throws Exception {
        return store.totals(0).storedMessages();
    }

    @ManagedAttribute(description = "Recipients with messages stored")
    public long getRecipients() throws Exception {
        return store.totals(0).recipients();
    }

    @ManagedAttribute(description = "Stored messages past their expiry, not yet handed to the IMDN route")
    public long getExpiredMessages() throws Exception {
        return store.expiredCount();
    }

    @ManagedAttribute(description = "Incoming messages refused (too large, over quota, malformed), since start")
    public long getMessagesRefused() {
        return metrics.refused();
    }

    @ManagedOperation(description = "Messages stored for one recipient (sip:, sips: or tel: URI)")
    public long storedMessagesFor(@ManagedParameters.Description("The recipient's URI, e.g. sip:bob@example.com")
                                  String recipient) throws Exception {
        return store.count(Recipients.canonical(recipient));
    }

    @ManagedOperation(description = "The recipients with most messages stored, most first")
    public Map<String, Long> largestRecipients(@ManagedParameters.Description("How many recipients to list") int top)
            throws Exception {
        return store.totals(top).largest();
    }
}
