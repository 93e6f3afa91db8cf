package org.imdp.routes;

import java.nio.charset.StandardCharsets;
import java.util.Properties;

import javax.sip.message.Response;

import org.imdp.sipmsrp.SipMsrpEndpoint;
import org.imdp.sipmsrp.SipTestClient;
import org.imdp.store.DeferredStore;
import org.imdp.test.ServiceMainTestSupport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 11, the safe default: bound to an address that is not loopback (here the wildcard 0.0.0.0) with
 * {@code imdp.sip.trusted-nodes} empty, the service trusts nobody, not even a loopback source: every REGISTER and
 * MESSAGE is refused 403 and nothing is stored. (On a loopback address, the default of every other test, loopback
 * sources are trusted.)
 */
class SipTrustDefaultsTest extends ServiceMainTestSupport {

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = serviceProperties("sip-trust-defaults-test");
        p.put("imdp.sip.host", "0.0.0.0");
        return p;
    }

    @Test
    void bound_beyond_loopback_without_trusted_nodes_every_register_and_message_is_refused() throws Exception {
        try (SipTestClient client = SipTestClient.start("127.0.0.1",
                sipPort())) {
            assertThat(client.sendMessage("sip:alice@example.com", "sip:bob@example.com", "text/plain",
                    "hi".getBytes(StandardCharsets.UTF_8))).isEqualTo(Response.FORBIDDEN);
            assertThat(client.register("sip:bob@example.com", 600).getStatusCode()).isEqualTo(Response.FORBIDDEN);
        }
        DeferredStore store = context.getRegistry().lookupByNameAndType("deferredStore", DeferredStore.class);
        assertThat(store.single("SELECT count(*) FROM deferred_message")).isZero();
        assertThat(store.single("SELECT count(*) FROM registration")).isZero();
        assertThat(context.getEndpoint("sipmsrp:message", SipMsrpEndpoint.class).getRequestsForbidden()).isEqualTo(1);
    }
}
