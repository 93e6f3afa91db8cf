package org.imdp.sipmsrp;

import java.io.IOException;

import javax.net.ssl.SSLSocket;

import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.imdp.test.TestCertificates;
import org.imdp.test.TestPorts;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIP over TLS: the sipmsrp consumer with a TLS listening point (tlsPort) that requires a client certificate, and a
 * JSSE client sending a raw MESSAGE over it, as a trusted node (an S-CSCF, an IM Server part) would.
 */
class SipTlsTest extends CamelTestSupport {

    private static final String HOST = "127.0.0.1";
    private static final String BOB = "sip:bob@127.0.0.1";
    private final int sipPort = TestPorts.next();
    private final int tlsPort = TestPorts.next();

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        SipMsrpComponent component = new SipMsrpComponent();
        SipMsrpConfiguration config = component.getConfiguration();
        config.setHost(HOST);
        config.setPort(sipPort);
        config.setTlsPort(tlsPort);
        config.setSslContextParameters(TestCertificates.parameters("server", true));
        context.addComponent("sipmsrp", component);
        return context;
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("sipmsrp:message").routeId("message").to("mock:message")
                        .setHeader(SipMsrpConstants.RESPONSE_CODE, constant(202));
            }
        };
    }

    @Test
    void a_message_over_tls_from_a_client_with_a_trusted_certificate_is_taken_and_answered_on_the_connection() throws Exception {
        MockEndpoint message = getMockEndpoint("mock:message");
        message.expectedBodiesReceived("over TLS");

        try (SSLSocket socket = connect(TestCertificates.parameters("client", false))) {
            assertThat(send(socket, "over TLS")).isEqualTo("SIP/2.0 202 Accepted");
            // TLS 1.3: the RI's own default stops at TLS 1.2 (and would pick TLS_RSA_WITH_AES_128_CBC_SHA)
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(socket.getSession().getCipherSuite()).startsWith("TLS_AES_");
        }
        message.assertIsSatisfied();
        assertThat(message.getReceivedExchanges().get(0).getMessage().getHeader(SipMsrpConstants.FROM)).isEqualTo("sip:alice@127.0.0.1");
    }

    @Test
    void a_client_without_a_certificate_is_refused_before_any_request() throws Exception {
        SSLContextParameters anonymous = TestCertificates.parameters("client", false);
        anonymous.setKeyManagers(null);
        MockEndpoint message = getMockEndpoint("mock:message");
        message.expectedMessageCount(0);

        try (SSLSocket socket = connect(anonymous)) {
            // TLS 1.3: the server's refusal of the missing certificate comes after the client's handshake is over, so
            // the request may still be written; then the connection ends, with an alert (an IOException here) or
            // without (the end of the stream): either way no answer comes back
            String answer;
            try {
                answer = send(socket, "anonymous");
            } catch (IOException refused) {
                answer = "";
            }
            assertThat(answer).as("an answer to a client without a certificate").isEmpty();
        }
        message.assertIsSatisfied();
    }

    private SSLSocket connect(SSLContextParameters keys) throws Exception {
        return RawSipClient.connect(keys, HOST, tlsPort);
    }

    private static String send(SSLSocket socket, String body) throws Exception {
        return RawSipClient.message(socket, "sip:alice@127.0.0.1", BOB, body);
    }
}
