package org.imdp.sipmsrp.sip;

import java.util.List;

import javax.sip.SipFactory;
import javax.sip.address.AddressFactory;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 11: digest credentials go only to a challenge of their realm that answers the request we sent, and only into
 * a request to the challenged Request-URI (the digest-uri is always what we sent).
 */
class DigestCredentialsTest {

    private static final String REALM = "ims.example.com";

    private AddressFactory addresses;
    private HeaderFactory headers;
    private MessageFactory messages;
    private final DigestCredentials credentials = new DigestCredentials("im-deferred", "s3cret", REALM);

    @BeforeEach
    void factories() throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        addresses = factory.createAddressFactory();
        headers = factory.createHeaderFactory();
        messages = factory.createMessageFactory();
    }

    private Request request(String method, String target, String callId, long cseq) throws Exception {
        return messages.createRequest(addresses.createURI(target), method, headers.createCallIdHeader(callId),
                headers.createCSeqHeader(cseq, method),
                headers.createFromHeader(addresses.createAddress("sip:im-deferred@127.0.0.1"), "f1"),
                headers.createToHeader(addresses.createAddress("sip:bob@example.com"), null),
                List.of(headers.createViaHeader("127.0.0.1", 5060, "udp", SipAgent.newBranch())),
                headers.createMaxForwardsHeader(70));
    }

    private Response challenge(Request request, String... realms) throws Exception {
        Response response = messages.createResponse(Response.UNAUTHORIZED, request);
        for (String realm : realms) {
            WWWAuthenticateHeader h = headers.createWWWAuthenticateHeader(DigestCredentials.SCHEME);
            h.setRealm(realm);
            h.setNonce("n-" + realm);
            h.setQop("auth");
            h.setAlgorithm("MD5");
            response.addHeader(h);
        }
        return response;
    }

    @Test
    void a_challenge_of_our_realm_is_answered_with_the_challenged_request_uri_as_digest_uri() throws Exception {
        Request invite = request(Request.INVITE, "sip:bob@192.0.2.7:5070", "c1", 1);

        AuthorizationHeader answer = credentials.answer(challenge(invite, "evil.example", REALM), invite, invite, headers);

        assertThat(answer.getRealm()).isEqualTo(REALM);
        assertThat(answer.getNonce()).isEqualTo("n-" + REALM);
        assertThat(answer.getURI()).hasToString("sip:bob@192.0.2.7:5070");
    }

    @Test
    void a_challenge_of_another_realm_only_is_not_answered_and_both_realms_are_named() throws Exception {
        Request invite = request(Request.INVITE, "sip:bob@192.0.2.7:5070", "c1", 1);

        assertThatThrownBy(() -> credentials.answer(challenge(invite, "evil.example"), invite, invite, headers))
                .isInstanceOf(DigestCredentials.NotAnswered.class)
                .hasMessageContaining("evil.example").hasMessageContaining(REALM);
    }

    @Test
    void a_challenge_that_does_not_answer_the_request_sent_is_not_answered() throws Exception {
        Request invite = request(Request.INVITE, "sip:bob@192.0.2.7:5070", "c1", 2);
        Response toOtherCseq = challenge(request(Request.INVITE, "sip:bob@192.0.2.7:5070", "c1", 1), REALM);
        Response toOtherCall = challenge(request(Request.INVITE, "sip:bob@192.0.2.7:5070", "c2", 2), REALM);
        Response toOtherMethod = challenge(invite, REALM);
        ((CSeqHeader) toOtherMethod.getHeader(CSeqHeader.NAME)).setMethod(Request.REGISTER);

        for (Response r : List.of(toOtherCseq, toOtherCall, toOtherMethod)) {
            assertThatThrownBy(() -> credentials.answer(r, invite, invite, headers))
                    .isInstanceOf(DigestCredentials.NotAnswered.class)
                    .hasMessageContaining("does not answer the request sent");
        }
    }

    @Test
    void credentials_for_another_request_uri_or_method_than_the_challenged_are_not_given() throws Exception {
        Request bye = request(Request.BYE, "sip:bob@192.0.2.7:5070", "c1", 3);
        Response challenged = challenge(bye, REALM);

        assertThatThrownBy(() -> credentials.answer(challenged, bye,
                request(Request.BYE, "sip:registrar@ims.example.com", "c1", 4), headers))
                .isInstanceOf(DigestCredentials.NotAnswered.class).hasMessageContaining("digest-uri")
                .hasMessageContaining("sip:registrar@ims.example.com");
        assertThatThrownBy(() -> credentials.answer(challenged, bye,
                request(Request.REGISTER, "sip:bob@192.0.2.7:5070", "c1", 4), headers))
                .isInstanceOf(DigestCredentials.NotAnswered.class).hasMessageContaining("digest-uri");
        assertThat(credentials.answer(challenged, bye, request(Request.BYE, "sip:bob@192.0.2.7:5070", "c1", 4),
                headers).getURI()).hasToString("sip:bob@192.0.2.7:5070");
    }

    @Test
    void credentials_without_their_realm_cannot_be_made() {
        assertThatThrownBy(() -> new DigestCredentials("im-deferred", "s3cret", " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("realm");
    }
}
