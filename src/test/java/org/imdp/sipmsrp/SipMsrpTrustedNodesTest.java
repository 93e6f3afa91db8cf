package org.imdp.sipmsrp;

import java.nio.charset.StandardCharsets;

import javax.sip.message.Request;
import javax.sip.message.Response;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.imdp.test.TestPorts;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The consumers' {@code trustedNodes} option, with no application around them: a request from any other source
 * address is answered 403 by the component and never becomes an exchange; a trusted node's P-Asserted-Identity
 * reaches the route as {@link SipMsrpConstants#ASSERTED_IDENTITY}. An endpoint may narrow the component's list.
 */
class SipMsrpTrustedNodesTest extends CamelTestSupport {

    private int sipPort;

    @Override
    protected CamelContext createCamelContext() throws Exception {
        sipPort = TestPorts.next();
        CamelContext context = super.createCamelContext();
        SipMsrpComponent component = new SipMsrpComponent();
        component.getConfiguration().setHost("127.0.0.1");
        component.getConfiguration().setPort(sipPort);
        component.getConfiguration().setTrustedNodes("127.0.0.1/32, ::1");
        context.addComponent("sipmsrp", component);
        return context;
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("sipmsrp:message").to("mock:message").setHeader(SipMsrpConstants.RESPONSE_CODE, constant(202));
                // nobody at all may register on this endpoint
                from("sipmsrp:register?trustedNodes=192.0.2.1/32").to("mock:register");
            }
        };
    }

    @Test
    void a_stranger_gets_403_unrouted_and_a_trusted_nodes_assertion_reaches_the_route() throws Exception {
        MockEndpoint routed = getMockEndpoint("mock:message");
        MockEndpoint registered = getMockEndpoint("mock:register");
        byte[] body = "hi".getBytes(StandardCharsets.UTF_8);
        try (SipTestClient stranger = SipTestClient.start("127.0.0.1", sipPort, "127.0.0.2");
             SipTestClient trusted = SipTestClient.start("127.0.0.1", sipPort)) {
            Request forged = stranger.assertIdentity(
                    stranger.newMessage("sip:mallory@example.com", "sip:bob@example.com", "text/plain", body),
                    "sip:alice@example.com");
            assertThat(stranger.send(forged).getStatusCode()).isEqualTo(Response.FORBIDDEN);
            assertThat(trusted.register("sip:bob@example.com", 600).getStatusCode()).isEqualTo(Response.FORBIDDEN);

            routed.expectedMessageCount(1);
            routed.expectedHeaderReceived(SipMsrpConstants.ASSERTED_IDENTITY, "sip:alice@example.com");
            routed.expectedHeaderReceived(SipMsrpConstants.FROM, "sip:mallory@example.com");
            Request asserted = trusted.assertIdentity(
                    trusted.newMessage("sip:mallory@example.com", "sip:bob@example.com", "text/plain", body),
                    "sip:alice@example.com");
            assertThat(trusted.send(asserted).getStatusCode()).isEqualTo(Response.ACCEPTED);
        }
        routed.assertIsSatisfied();
        assertThat(registered.getReceivedCounter()).isZero();
        assertThat(context.getEndpoint("sipmsrp:message", SipMsrpEndpoint.class).getRequestsForbidden()).isEqualTo(1);
        assertThat(context.getEndpoint("sipmsrp:register?trustedNodes=192.0.2.1/32", SipMsrpEndpoint.class)
                .getRequestsForbidden()).isEqualTo(1);
    }
}
