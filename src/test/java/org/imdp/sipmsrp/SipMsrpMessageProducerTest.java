package org.imdp.sipmsrp;

import org.imdp.test.TestPorts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

import gov.nist.javax.sip.header.ims.PAssertedIdentityHeader;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.imdp.sipmsrp.sip.SipAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code sipmsrp:message} as a producer, against a real second SIP stack ({@link SipTestClient}) on loopback. */
class SipMsrpMessageProducerTest extends CamelTestSupport {

    private static final String SERVER_URI = "sip:im-deferred@example.com";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private SipTestClient client;

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        SipMsrpComponent component = new SipMsrpComponent();
        component.getConfiguration().setPort(TestPorts.next());
        component.getConfiguration().setServerUri(SERVER_URI);
        component.getConfiguration().setMessageTimeout(3_000);
        context.addComponent("sipmsrp", component);
        return context;
    }

    @BeforeEach
    void startClient() throws Exception {
        // the server under test is never called by this client: only the other way round
        client = SipTestClient.start("127.0.0.1", 9);
    }

    @AfterEach
    void stopClient() {
        client.close();
    }

    private Exchange send(String body) {
        return template.send("sipmsrp:message", e -> {
            e.getMessage().setHeader(SipMsrpConstants.RECIPIENT, client.contact("alice"));
            e.getMessage().setHeader(SipMsrpConstants.CONTENT_TYPE, "message/cpim");
            e.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        });
    }

    @Test
    void a_message_goes_out_from_the_server_and_completes_on_its_2xx() throws Exception {
        Exchange exchange = send("the notification");

        assertThat(exchange.getException()).isNull();
        assertThat(exchange.getMessage().getHeader(SipMsrpConstants.RESPONSE_CODE)).isEqualTo(200);
        Request message = client.awaitRequest(Request.MESSAGE, WAIT).request();
        assertThat(message.getRequestURI().toString()).isEqualTo(client.contact("alice"));
        assertThat(((ToHeader) message.getHeader(ToHeader.NAME)).getAddress().getURI().toString())
                .isEqualTo(client.contact("alice"));
        assertThat(((FromHeader) message.getHeader(FromHeader.NAME)).getAddress().getURI().toString()).isEqualTo(SERVER_URI);
        assertThat(((PAssertedIdentityHeader) message.getHeader(PAssertedIdentityHeader.NAME)).getAddress().getURI()
                .toString()).isEqualTo(SERVER_URI);
        ContentTypeHeader type = (ContentTypeHeader) message.getHeader(ContentTypeHeader.NAME);
        assertThat(type.getContentType() + "/" + type.getContentSubType()).isEqualTo("message/cpim");
        assertThat(new String(message.getRawContent(), StandardCharsets.UTF_8)).isEqualTo("the notification");
    }

    @Test
    void a_message_larger_than_1300_octets_goes_over_tcp_a_small_one_over_udp() throws Exception {
        Exchange large = send("x".repeat(SipAgent.UDP_SIZE_LIMIT));
        Request overTcp = client.awaitRequest(Request.MESSAGE, WAIT).request();
        Exchange small = send("the notification");

        assertThat(large.getException()).isNull();
        assertThat(small.getException()).isNull();
        assertThat(((ViaHeader) overTcp.getHeader(ViaHeader.NAME)).getTransport()).isEqualToIgnoringCase("tcp");
        assertThat(overTcp.getRequestURI().toString()).isEqualTo(client.contact("alice") + ";transport=tcp");
        List<Request> messages = client.received().stream().map(SipTestClient.Received::request)
                .filter(r -> Request.MESSAGE.equals(r.getMethod())).toList();
        assertThat(messages).hasSize(2);
        assertThat(((ViaHeader) messages.get(1).getHeader(ViaHeader.NAME)).getTransport()).isEqualToIgnoringCase("udp");
    }

    @Test
    void a_refusal_fails_the_exchange_with_its_status_and_says_whether_to_try_again() {
        client.answerMessages(Response.NOT_FOUND);
        SipMsrpRequestException notFound = (SipMsrpRequestException) send("x").getException();
        assertThat(notFound.getStatusCode()).isEqualTo(404);
        assertThat(notFound.isTransient()).isFalse();

        client.answerMessages(Response.SERVER_INTERNAL_ERROR);
        SipMsrpRequestException failed = (SipMsrpRequestException) send("x").getException();
        assertThat(failed.getStatusCode()).isEqualTo(500);
        assertThat(failed.isTransient()).isTrue();
    }

    @Test
    void no_final_response_fails_with_408() throws Exception {
        client.answerMessages(0);
        SipMsrpRequestException timeout = (SipMsrpRequestException) send("x").getException();
        assertThat(timeout.getStatusCode()).isEqualTo(408);
        assertThat(timeout.isTransient()).isTrue();
        assertThat(client.awaitRequest(Request.MESSAGE, WAIT)).isNotNull();
    }

    @Test
    void a_message_without_recipient_or_content_type_is_refused_before_sending() {
        Exchange exchange = template.send("sipmsrp:message", e -> e.getMessage().setBody("x"));
        assertThat(exchange.getException()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(SipMsrpConstants.RECIPIENT);
        assertThat(client.received()).isEmpty();
    }
}
