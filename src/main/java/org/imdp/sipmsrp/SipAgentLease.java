package org.imdp.sipmsrp;

import java.util.concurrent.ExecutorService;

import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.spi.ThreadPoolProfile;
import org.imdp.sipmsrp.sip.SipAgent;

/**
 * What a started {@code sipmsrp} consumer or producer holds: the endpoint's shared SIP stack, and a thread pool of
 * its own on which exchanges continue, so that routes never run on a SIP stack thread. Each lease counts as one
 * user of the stack: a consumer and a producer of the same endpoint (e.g. {@code sipmsrp:message}) each hold it.
 */
final class SipAgentLease {

    private final SipMsrpEndpoint endpoint;
    private final SipAgent agent;
    private final ExecutorService executor;

    private SipAgentLease(SipMsrpEndpoint endpoint, SipAgent agent, ExecutorService executor) {
        this.endpoint = endpoint;
        this.agent = agent;
        this.executor = executor;
    }

    /** Starts the stack if no one holds it yet, and a pool named {@code threadName} owned by {@code owner}. */
    static SipAgentLease take(SipMsrpEndpoint endpoint, Object owner, String threadName) throws Exception {
        return take(endpoint, pools(endpoint).newDefaultThreadPool(owner, threadName));
    }

    /**
     * As {@link #take(SipMsrpEndpoint, Object, String)}, with a pool of {@code profile}'s sizes and rejection policy
     * (a consumer's bounded pool).
     */
    static SipAgentLease take(SipMsrpEndpoint endpoint, Object owner, String threadName, ThreadPoolProfile profile)
            throws Exception {
        return take(endpoint, pools(endpoint).newThreadPool(owner, threadName, profile));
    }

    private static SipAgentLease take(SipMsrpEndpoint endpoint, ExecutorService executor) throws Exception {
        try {
            return new SipAgentLease(endpoint, endpoint.getComponent().acquireAgent(endpoint.getConfiguration()),
                    executor);
        } catch (Exception | Error e) {
            pools(endpoint).shutdownNow(executor);
            throw e;
        }
    }

    SipAgent agent() {
        return agent;
    }

    ExecutorService executor() {
        return executor;
    }

    /** Lets the stack go (it stops with its last holder) and lets the pool finish what it runs. */
    void release() {
        endpoint.getComponent().releaseAgent(endpoint.getConfiguration());
        pools(endpoint).shutdownGraceful(executor);
    }

    private static ExecutorServiceManager pools(SipMsrpEndpoint endpoint) {
        return endpoint.getCamelContext().getExecutorServiceManager();
    }
}
