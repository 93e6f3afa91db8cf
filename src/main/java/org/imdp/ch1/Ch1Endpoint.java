package org.imdp.ch1;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongConsumer;

import org.apache.camel.AsyncEndpoint;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.Producer;
import org.apache.camel.spi.EndpointServiceLocation;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.imdp.ch1.peer.PeerGroup;

/**
 * Send OMA CH-1 offline charging records (Diameter Rf ACR EVENT_RECORD) to a Charging Enabler and wait for the ACA.
 */
@ManagedResource(description = "Managed CH-1 endpoint")
@UriEndpoint(firstVersion = "0.1.0", scheme = "ch1", title = "CH-1 Charging", syntax = "ch1:name", producerOnly = true,
        category = { Category.MOBILE, Category.NETWORKING }, headersClass = Ch1Constants.class)
public class Ch1Endpoint extends DefaultEndpoint implements AsyncEndpoint, EndpointServiceLocation {

    @UriPath
    @Metadata(required = true)
    private String name;
    @UriParam
    private Ch1Configuration configuration;

    private final LongAdder recordsSent = new LongAdder();
    private final LongAdder recordsAccepted = new LongAdder();
    private final LongAdder recordsRefused = new LongAdder();
    private final LongAdder recordsFailed = new LongAdder();
    private final Map<Long, LongAdder> answers = new ConcurrentSkipListMap<>();
    private final List<LongConsumer> answerCodeWatchers = new CopyOnWriteArrayList<>();

    public Ch1Endpoint(String uri, Ch1Component component, Ch1Configuration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public Ch1Component getComponent() {
        return (Ch1Component) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        return new Ch1Producer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("Cannot consume from a CH-1 endpoint: " + getEndpointUri());
    }

    @Override
    public String getServiceUrl() {
        return configuration.getPeers();
    }

    @Override
    public String getServiceProtocol() {
        return "diameter";
    }

    /** host:port of the peers whose Diameter connection is OPEN (CEA received, not failed over); for health checks. */
    @ManagedAttribute(description = "Peers with an OPEN Diameter connection")
    public List<String> getOpenPeers() throws Exception {
        return getComponent().openPeers(name, configuration);
    }

    /**
     * Every peer's state (open, down for how long), in order of preference; empty before a producer connects. For
     * health checks and gauges.
     */
    public List<PeerGroup.PeerStatus> peerStatus() throws Exception {
        return getComponent().peerStatus(name, configuration);
    }

    @ManagedAttribute(description = "ACRs sent (every attempt)")
    public long getRecordsSent() {
        return recordsSent.sum();
    }

    @ManagedAttribute(description = "ACRs answered with a 2xxx Result-Code")
    public long getRecordsAccepted() {
        return recordsAccepted.sum();
    }

    @ManagedAttribute(description = "ACRs refused for good (5xxx Result-Code or an event that is no valid ACR)")
    public long getRecordsRefused() {
        return recordsRefused.sum();
    }

    @ManagedAttribute(description = "ACR attempts that failed for now (no peer, no answer, 3xxx/4xxx): to be retried")
    public long getRecordsFailed() {
        return recordsFailed.sum();
    }

    @ManagedAttribute(description = "ACAs received, by Result-Code (or Experimental-Result-Code; 0: neither)")
    public String getAnswersByResultCode() {
        StringBuilder listing = new StringBuilder("{");
        answers.forEach((code, count) -> listing.append(listing.length() > 1 ? ", " : "").append(code).append('=')
                .append(count.sum()));
        return listing.append('}').toString();
    }

    /** ACAs received with {@code resultCode} so far. */
    public long answers(long resultCode) {
        LongAdder count = answers.get(resultCode);
        return count == null ? 0 : count.sum();
    }

    /**
     * Tells {@code watcher} each Result-Code answered so far, and each new one as it first arrives, once; the count
     * is {@link #answers(long)}.
     */
    public synchronized void watchAnswerCodes(LongConsumer watcher) {
        answers.keySet().forEach(watcher::accept);
        answerCodeWatchers.add(watcher);
    }

    void countAnswer(long resultCode) {
        LongAdder count = answers.get(resultCode);
        (count != null ? count : newAnswerCode(resultCode)).increment();
    }

    private synchronized LongAdder newAnswerCode(long resultCode) {
        LongAdder count = answers.get(resultCode);
        if (count == null) {
            count = new LongAdder();
            answers.put(resultCode, count);
            answerCodeWatchers.forEach(w -> w.accept(resultCode));
        }
        return count;
    }

    void countSent() {
        recordsSent.increment();
    }

    void countOutcome(Exception failure) {
        if (failure == null) {
            recordsAccepted.increment();
        } else if (failure instanceof Ch1PermanentException) {
            recordsRefused.increment();
        } else {
            recordsFailed.increment();
        }
    }

    @ManagedAttribute(description = "Charging Enabler peers, the first is the primary")
    public String getPeers() {
        return configuration.getPeers();
    }

    public String getName() {
        return name;
    }

    /** Logical name of the charging destination; endpoints with the same name and peers share connections. */
    public void setName(String name) {
        this.name = name;
    }

    public Ch1Configuration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(Ch1Configuration configuration) {
        this.configuration = configuration;
    }
}
