package org.imdp.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.imdp.registration.RegistrationsFullException;
import org.imdp.store.RejectedMessageException;
import org.imdp.store.RejectedMessageException.Reason;
import org.junit.jupiter.api.Test;

class SipRefusalsTest {

    @Test
    void each_reason_has_the_sip_final_response_that_says_it() {
        assertThat(SipRefusals.answer(Reason.INVALID)).isEqualTo(new SipRefusals.Answer(400, "Bad Request"));
        assertThat(SipRefusals.answer(Reason.OVER_QUOTA)).isEqualTo(new SipRefusals.Answer(486, "Busy Here"));
        assertThat(SipRefusals.answer(Reason.STORE_FULL)).isEqualTo(new SipRefusals.Answer(507, "Insufficient Storage"));
        assertThat(SipRefusals.answer(Reason.TOO_LARGE)).isEqualTo(new SipRefusals.Answer(413, "Request Entity Too Large"));
        assertThat(SipRefusals.answer(Reason.REGISTRATIONS_FULL))
                .isEqualTo(new SipRefusals.Answer(503, "Service Unavailable"));
        assertThat(SipRefusals.answer(Reason.NOT_HOME_DOMAIN)).isEqualTo(new SipRefusals.Answer(404, "Not Found"));
    }

    @Test
    void full_registrations_are_retried_when_room_is_made_and_the_other_refusals_never_say_when() {
        RejectedMessageException full = new RegistrationsFullException("sip:dave@example.com not registered", Duration.ofSeconds(500));
        assertThat(SipRefusals.status(full)).isEqualTo(503);
        assertThat(SipRefusals.reasonPhrase(full)).isEqualTo("Service Unavailable");
        assertThat(SipRefusals.retryAfter(full)).isEqualTo(500);

        RejectedMessageException overQuota = new RejectedMessageException(Reason.OVER_QUOTA, "quota");
        assertThat(SipRefusals.status(overQuota)).isEqualTo(486);
        assertThat(SipRefusals.retryAfter(overQuota)).isNull();
    }
}
