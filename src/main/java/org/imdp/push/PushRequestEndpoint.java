package org.imdp.push;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.imdp.store.PushRequests;

/**
 * Consumes the due push requests of the store: each exchange is one recipient's push session, with the headers of
 * {@link PushRequestConsumer}; when the exchange ends, its headers say whether the recipient is done, due again now
 * (the next session of a backlog) or at a time (a timed retry). At most {@code consumers} sessions run at once, each
 * recipient in one of them at most, on every instance sharing the store (leases in the store).
 */
@UriEndpoint(firstVersion = "1.0.0", scheme = "push-requests", title = "Push requests", syntax = "push-requests:name",
             consumerOnly = true, category = {Category.SCHEDULING})
public class PushRequestEndpoint extends DefaultEndpoint {

    @UriPath(description = "A name for the endpoint (not used otherwise)")
    private String name;
    @UriParam(defaultValue = "4", description = "Push sessions run at once (different recipients)")
    private int consumers = 4;
    @UriParam(defaultValue = "1000", javaType = "java.time.Duration",
              description = "How often the store is looked at for requests this instance was not told of: timed "
                            + "retries that fell due, requests made on other instances. The leases of running "
                            + "sessions are renewed at the same pace.")
    private long scanPeriod = 1000;
    @UriParam(description = "This instance's name in the leases, unique among the instances sharing the store "
                            + "(the host name is put in front). An instance that starts under the name it had "
                            + "takes back at once the leases it held when it stopped or died.")
    private String instance = "";

    private final PushRequests requests;

    PushRequestEndpoint(String uri, PushRequestComponent component, PushRequests requests) {
        super(uri, component);
        this.requests = requests;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("push-requests: only consumes; request a push with PushRequests.request");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        Consumer consumer = new PushRequestConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    PushRequests requests() {
        return requests;
    }

    /** The owner name of this instance's leases: host name and {@link #instance}. */
    String owner() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        return instance.isEmpty() ? host : host + "/" + instance;
    }

    /**
     * How long a lease lasts unless renewed: long enough that a busy machine renews it in time (renewed every scan
     * period), short enough that another instance takes over a dead one's recipients soon.
     */
    Duration lease() {
        return Duration.ofMillis(Math.max(30_000, 3 * scanPeriod));
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public int getConsumers() {
        return consumers;
    }

    public void setConsumers(int consumers) {
        if (consumers < 1) {
            throw new IllegalArgumentException("consumers must be at least 1, got " + consumers);
        }
        this.consumers = consumers;
    }

    public long getScanPeriod() {
        return scanPeriod;
    }

    public void setScanPeriod(long scanPeriod) {
        if (scanPeriod <= 0) {
            throw new IllegalArgumentException("scanPeriod must be positive, got " + scanPeriod + " ms");
        }
        this.scanPeriod = scanPeriod;
    }

    public String getInstance() {
        return instance;
    }

    public void setInstance(String instance) {
        this.instance = instance == null ? "" : instance.trim();
    }
}
