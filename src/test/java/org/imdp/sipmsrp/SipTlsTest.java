package org.imdp.sipmsrp;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
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
 * JSSE client sending a raw MESSAGE over it, as a trusted node (an S-CSCF, an IM Server part) would; and the push to a
 * {@code sips:} contact, whose INVITE a JSSE server that requires the service's certificate receives over TLS, and
 * which a server whose certificate does not name its host never gets.
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
                from("direct:push").routeId("push").to("sipmsrp:push");
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

    @Test
    void a_push_to_a_sips_contact_sends_its_invite_over_tls_from_the_tls_listening_point() throws Exception {
        SSLContext clientSide = TestCertificates.sslContext(TestCertificates.parameters("server", true));
        try (SSLServerSocket imClient = (SSLServerSocket) clientSide.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getByName(HOST))) {
            imClient.setNeedClientAuth(true);
            String contact = "sips:bob@" + HOST + ":" + imClient.getLocalPort();
            CompletableFuture<Exchange> pushing = template.asyncSend("direct:push", e -> {
                e.getIn().setHeader(SipMsrpConstants.RECIPIENT, BOB);
                e.getIn().setHeader(SipMsrpConstants.CONTACT, contact);
                e.getIn().setBody(List.of(new PushMessage("tls-0001", "sip:alice@127.0.0.1", "text/plain",
                        () -> "hello".getBytes(StandardCharsets.UTF_8))));
            });
            imClient.setSoTimeout(20_000);
            try (SSLSocket connection = (SSLSocket) imClient.accept()) {
                connection.setSoTimeout(20_000);
                String invite = readRequest(connection);
                // the service showed its certificate: the IM Client required one of the test CA
                assertThat(connection.getSession().getPeerPrincipal().getName()).contains("CN=");
                assertThat(invite).startsWith("INVITE " + contact + " SIP/2.0\r\n");
                assertThat(invite).containsPattern("(?m)^Via: SIP/2.0/TLS " + HOST + ":" + tlsPort + ";");
                assertThat(invite).containsPattern("(?m)^Contact: <sips:im-deferred@" + HOST + ":" + tlsPort + ">");
                connection.getOutputStream().write(busy(invite).getBytes(StandardCharsets.US_ASCII));
                connection.getOutputStream().flush();
                Exchange done = pushing.get(20, TimeUnit.SECONDS);
                assertThat(done.getException()).isInstanceOf(SipMsrpPushException.class).hasMessageContaining("486");
            }
        }
    }

    @Test
    void a_push_to_a_tls_server_whose_certificate_does_not_name_its_host_is_not_sent() throws Exception {
        // the test certificates name localhost and 127.0.0.1 only; this IM Client listens on 127.0.0.2
        SSLContext clientSide = TestCertificates.sslContext(TestCertificates.parameters("server", false));
        try (SSLServerSocket imClient = (SSLServerSocket) clientSide.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
            String contact = "sips:bob@127.0.0.2:" + imClient.getLocalPort();
            CompletableFuture<Exchange> pushing = template.asyncSend("direct:push", e -> {
                e.getIn().setHeader(SipMsrpConstants.RECIPIENT, BOB);
                e.getIn().setHeader(SipMsrpConstants.CONTACT, contact);
                e.getIn().setBody(List.of(new PushMessage("tls-0002", "sip:alice@127.0.0.1", "text/plain",
                        () -> "not for a stranger".getBytes(StandardCharsets.UTF_8))));
            });
            imClient.setSoTimeout(20_000);
            try (SSLSocket connection = (SSLSocket) imClient.accept()) {
                connection.setSoTimeout(20_000);
                // the service ends the connection after the handshake, before any request
                int first;
                try {
                    first = connection.getInputStream().read();
                } catch (java.net.SocketTimeoutException e) {
                    throw new AssertionError("neither a request nor the end of the connection within 20 s", e);
                } catch (IOException closed) {
                    first = -1;
                }
                assertThat(first).as("the first octet the service sent to a server its certificate does not name")
                        .isEqualTo(-1);
            }
            Exchange done = pushing.get(40, TimeUnit.SECONDS);
            assertThat(done.getException()).as("the push").isNotNull();
        }
    }

    /** One SIP request from a stream connection: its headers and Content-Length octets of body. */
    private static String readRequest(SSLSocket connection) throws IOException {
        InputStream in = connection.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection ended in a request: " + head);
            }
            head.append((char) b);
        }
        Matcher length = Pattern.compile("(?mi)^(?:Content-Length|l): *(\\d+)").matcher(head);
        byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
        return head + new String(body, StandardCharsets.US_ASCII);
    }

    /** 486 to {@code request}: its Via, From, To (with a tag), Call-ID and CSeq. */
    private static String busy(String request) {
        StringBuilder response = new StringBuilder("SIP/2.0 486 Busy Here\r\n");
        for (String line : request.split("\r\n")) {
            String name = line.contains(":") ? line.substring(0, line.indexOf(':')).trim().toLowerCase(Locale.ROOT) : "";
            switch (name) {
                case "via", "from", "call-id", "cseq" -> response.append(line).append("\r\n");
                case "to" -> response.append(line).append(";tag=busy1").append("\r\n");
                default -> { }
            }
        }
        return response.append("Content-Length: 0\r\n\r\n").toString();
    }

    private SSLSocket connect(SSLContextParameters keys) throws Exception {
        return RawSipClient.connect(keys, HOST, tlsPort);
    }

    private static String send(SSLSocket socket, String body) throws Exception {
        return RawSipClient.message(socket, "sip:alice@127.0.0.1", BOB, body);
    }
}
