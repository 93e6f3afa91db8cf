package org.imdp.registration;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RegistrationsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T10:00:00Z"), ZoneOffset.UTC);
    private static final String BOB = "sip:bob@example.com";
    private static final String CONTACT = "sip:bob@10.0.0.7:5070";

    @Test
    void without_the_requirement_a_contact_without_the_im_feature_tag_registers() {
        Registrations registrations = new Registrations(CLOCK, false);

        assertThat(registrations.update(BOB, CONTACT, 600, false)).isTrue();
        assertThat(registrations.contactOf(BOB)).isEqualTo(CONTACT);
    }

    @Test
    void with_the_requirement_only_an_im_contact_or_an_unknown_one_registers() {
        Registrations registrations = new Registrations(CLOCK, true);

        assertThat(registrations.update(BOB, CONTACT, 600, false)).isFalse();
        assertThat(registrations.isRegistered(BOB)).isFalse();
        assertThat(registrations.update(BOB, CONTACT, 600, true)).isTrue();
        // a refresh without the tag neither pushes again nor drops the IM Client's binding
        assertThat(registrations.update(BOB, "sip:scscf.example.com", 600, false)).isFalse();
        assertThat(registrations.contactOf(BOB)).isEqualTo(CONTACT);
        // from the JMS queue: no Contact header to judge
        assertThat(registrations.update("sip:carol@example.com", CONTACT, 600, null)).isTrue();
        // a deregistration counts whatever the tag
        assertThat(registrations.update(BOB, CONTACT, 0, false)).isFalse();
        assertThat(registrations.isRegistered(BOB)).isFalse();
    }
}
