package org.imdp.ch1;

import java.time.Instant;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.imdp.ch1.codec.Diameter;
import org.imdp.ch1.codec.DiameterAvp;
import org.imdp.ch1.codec.DiameterMessage;
import org.imdp.ch1.support.AccountingEvents;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class Ch1AccountingRequestTest {

    private final Ch1Configuration configuration = new Ch1Configuration();
    private final AccountingRequestFactory factory = new AccountingRequestFactory(configuration);

    private static DiameterAvp member(DiameterAvp grouped, int code) {
        return grouped.asGrouped().stream().filter(a -> a.code() == code).findFirst().orElseThrow();
    }

    private static DiameterMessage roundTrip(DiameterMessage message) {
        ByteBuf buf = Unpooled.buffer();
        try {
            message.encode(buf);
            return DiameterMessage.decode(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void the_acr_carries_what_issue_3_lists_with_the_flags_of_the_specifications() throws Exception {
        AccountingEvent event = AccountingEvents.push("e1");
        DiameterMessage acr = roundTrip(factory.create(event));

        assertThat(acr.commandCode()).isEqualTo(271);
        assertThat(acr.applicationId()).isEqualTo(3);
        assertThat(acr.isRequest()).isTrue();
        assertThat(acr.isProxiable()).isTrue();
        assertThat(acr.avps()).extracting(DiameterAvp::code).containsExactly(263, 264, 296, 283, 480, 485, 259, 55, 461, 873);
        // every AVP of the ACR is "M must" in its specification; base and RFC 4006 ones have no vendor
        assertThat(acr.avps()).allMatch(DiameterAvp::isMandatory);
        assertThat(acr.avp(Diameter.SESSION_ID).orElseThrow().asUtf8()).isEqualTo(factory.sessionId(event))
                .matches("im-deferred\\.localdomain;\\d+;\\d+;e1");
        assertThat(acr.avp(Diameter.ACCOUNTING_RECORD_TYPE).orElseThrow().asEnumerated()).isEqualTo(1);
        assertThat(acr.avp(Diameter.ACCOUNTING_RECORD_NUMBER).orElseThrow().asUnsigned32()).isZero();
        assertThat(acr.avp(Diameter.EVENT_TIMESTAMP).orElseThrow().asTime()).isEqualTo(event.eventTimestamp());
        assertThat(acr.avp(Diameter.SERVICE_CONTEXT_ID).orElseThrow().asUtf8()).isEqualTo("32260@3gpp.org");

        DiameterAvp serviceInformation = acr.avp(Diameter.SERVICE_INFORMATION, Diameter.VENDOR_3GPP).orElseThrow();
        assertThat(serviceInformation.isVendorSpecific()).isTrue();
        DiameterAvp subscription = member(serviceInformation, Diameter.SUBSCRIPTION_ID);
        assertThat(subscription.vendorId()).isZero();
        assertThat(member(subscription, Diameter.SUBSCRIPTION_ID_TYPE).asEnumerated()).isEqualTo(2);
        assertThat(member(subscription, Diameter.SUBSCRIPTION_ID_DATA).asUtf8()).isEqualTo("sip:bob@example.com");

        DiameterAvp ims = member(serviceInformation, Diameter.IMS_INFORMATION);
        assertThat(ims.asGrouped()).allMatch(a -> a.vendorId() == Diameter.VENDOR_3GPP && a.isMandatory());
        assertThat(member(ims, Diameter.NODE_FUNCTIONALITY).asEnumerated()).isEqualTo(6);
        assertThat(member(ims, Diameter.ROLE_OF_NODE).asEnumerated()).isEqualTo(1);
        assertThat(member(ims, Diameter.USER_SESSION_ID).asUtf8()).isEqualTo(event.userSessionId());
        assertThat(ims.asGrouped().stream().filter(a -> a.code() == Diameter.CALLING_PARTY_ADDRESS).map(DiameterAvp::asUtf8))
                .containsExactly("sip:alice@example.com", "sip:carol@example.com");
        assertThat(member(ims, Diameter.CALLED_PARTY_ADDRESS).asUtf8()).isEqualTo("sip:bob@example.com");
        DiameterAvp timeStamps = member(ims, Diameter.TIME_STAMPS);
        assertThat(member(timeStamps, Diameter.SIP_REQUEST_TIMESTAMP).asTime()).isEqualTo(event.requestTimestamp());
        assertThat(member(timeStamps, Diameter.SIP_RESPONSE_TIMESTAMP).asTime()).isEqualTo(event.responseTimestamp());

        DiameterAvp im = member(serviceInformation, Diameter.IM_INFORMATION);
        assertThat(im.vendorId()).isEqualTo(Diameter.VENDOR_3GPP);
        assertThat(member(im, Diameter.TOTAL_NUMBER_OF_MESSAGES_SENT).asUnsigned32()).isEqualTo(3);
        assertThat(member(im, Diameter.NUMBER_OF_MESSAGES_SUCCESSFULLY_SENT).asUnsigned32()).isEqualTo(2);
    }

    @Test
    void the_session_id_is_the_same_for_the_same_event_and_differs_between_events() {
        assertThat(factory.sessionId(AccountingEvents.push("a"))).isEqualTo(factory.sessionId(AccountingEvents.push("a")))
                .isNotEqualTo(factory.sessionId(AccountingEvents.push("b")));
    }

    @Test
    void a_tel_uri_recipient_is_an_e164_subscription_id() throws Exception {
        Instant t = Instant.parse("2026-11-26T08:00:00Z");
        AccountingEvent event = new AccountingEvent("t1", "tel:+49-171-1234567;phone-context=x", List.of(), "c1", null, null, t, 0, 0);
        DiameterAvp subscription = member(factory.create(event).avp(Diameter.SERVICE_INFORMATION, Diameter.VENDOR_3GPP).orElseThrow(),
                Diameter.SUBSCRIPTION_ID);
        assertThat(member(subscription, Diameter.SUBSCRIPTION_ID_TYPE).asEnumerated()).isZero();
        assertThat(member(subscription, Diameter.SUBSCRIPTION_ID_DATA).asUtf8()).isEqualTo("491711234567");
    }

    @Test
    void optional_parts_and_configuration_are_honoured() throws Exception {
        configuration.setDestinationHost("ocs.localdomain");
        configuration.setServiceContextId("im@oma.example");
        configuration.setRoleOfNode(0);
        Instant t = Instant.parse("2026-11-26T08:00:00Z");
        DiameterMessage acr = factory.create(new AccountingEvent("o1", "sip:x@y", null, "c1", null, null, t, 0, 0));
        assertThat(acr.avp(Diameter.DESTINATION_HOST).orElseThrow().asIdentity()).isEqualTo("ocs.localdomain");
        assertThat(acr.avp(Diameter.SERVICE_CONTEXT_ID).orElseThrow().asUtf8()).isEqualTo("im@oma.example");
        DiameterAvp ims = member(acr.avp(Diameter.SERVICE_INFORMATION, Diameter.VENDOR_3GPP).orElseThrow(), Diameter.IMS_INFORMATION);
        assertThat(member(ims, Diameter.ROLE_OF_NODE).asEnumerated()).isZero();
        assertThat(ims.asGrouped()).noneMatch(a -> a.code() == Diameter.TIME_STAMPS || a.code() == Diameter.CALLING_PARTY_ADDRESS);
    }

    @Test
    void an_event_without_what_the_acr_needs_is_refused_for_good() {
        Instant t = Instant.parse("2026-11-26T08:00:00Z");
        assertThatThrownBy(() -> factory.create(new AccountingEvent("x", null, List.of(), null, null, null, null, 1, 1)))
                .isInstanceOf(Ch1PermanentException.class).hasMessageContaining("subscriber, userSessionId, eventTimestamp");
        assertThatThrownBy(() -> factory.create(new AccountingEvent("x", "sip:a@b", List.of(), "c", null, null, t, 1, 2)))
                .isInstanceOf(Ch1PermanentException.class).hasMessageContaining("inconsistent counts");
    }

    @Test
    void endpoint_options_are_parsed_and_validated() {
        Ch1Configuration c = new Ch1Configuration();
        c.setPeers("10.0.0.1:3868, [::1]:3869");
        assertThat(c.peerAddresses()).extracting(a -> a.getHostString() + "|" + a.getPort())
                .containsExactly("10.0.0.1|3868", "::1|3869");
        c.setPeers("nohost");
        assertThatThrownBy(c::validate).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nohost");
    }
}
