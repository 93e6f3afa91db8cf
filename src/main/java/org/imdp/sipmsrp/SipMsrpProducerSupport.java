package org.imdp.sipmsrp;

import java.util.concurrent.ExecutorService;

import org.apache.camel.support.DefaultAsyncProducer;
import org.imdp.sipmsrp.sip.SipAgent;

/**
 * What every {@code sipmsrp} producer holds while it runs: the endpoint's SIP stack, and a thread pool of its own on
 * which exchanges continue, so that routes never run on a SIP stack thread.
 */
abstract class SipMsrpProducerSupport extends DefaultAsyncProducer {

    private final String threadName;
    protected SipAgent agent;
    protected ExecutorService executor;

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
        executor = getEndpoint().getCamelContext().getExecutorServiceManager().newDefaultThreadPool(this, threadName);
        agent = getEndpoint().acquireAgent();
    }

    @Override
    protected void doStop() throws Exception {
        if (agent != null) {
            agent = null;
            getEndpoint().releaseAgent();
        }
        if (executor != null) {
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(executor);
            executor = null;
        }
        super.doStop();
    }
}
