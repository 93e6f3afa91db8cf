package org.imdp.sipmsrp;

import java.util.concurrent.ExecutorService;

import org.apache.camel.support.DefaultAsyncProducer;
import org.imdp.sipmsrp.sip.SipAgent;

/** A {@code sipmsrp} producer: holds a {@link SipAgentLease} while it runs. */
abstract class SipMsrpProducerSupport extends DefaultAsyncProducer {

    private final String threadName;
    private volatile SipAgentLease lease;

    SipMsrpProducerSupport(SipMsrpEndpoint endpoint, String threadName) {
        super(endpoint);
        this.threadName = threadName;
    }

    @Override
    public SipMsrpEndpoint getEndpoint() {
        return (SipMsrpEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        lease = SipAgentLease.take(getEndpoint(), this, threadName);
    }

    @Override
    protected void doStop() throws Exception {
        if (lease != null) {
            lease.release();
            lease = null;
        }
        super.doStop();
    }

    /** The shared SIP stack, while started. */
    protected SipAgent agent() {
        return lease.agent();
    }

    /** This producer's own pool, on which exchanges continue, while started. */
    protected ExecutorService executor() {
        return lease.executor();
    }
}
