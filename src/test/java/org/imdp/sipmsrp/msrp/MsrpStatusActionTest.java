package org.imdp.sipmsrp.msrp;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.imdp.sipmsrp.msrp.MsrpStatusAction.DELIVERED;
import static org.imdp.sipmsrp.msrp.MsrpStatusAction.REFUSED;
import static org.imdp.sipmsrp.msrp.MsrpStatusAction.STOP_SESSION;

/** One decision per RFC 4975 §10 response code, and the class rule for the codes it does not define. */
class MsrpStatusActionTest {

    @Test
    void ok_is_delivered() {
        assertThat(MsrpStatusAction.of(200)).isEqualTo(DELIVERED);
    }

    @Test
    void bad_request_is_our_fault_and_stops_the_session() {
        assertThat(MsrpStatusAction.of(400)).isEqualTo(STOP_SESSION);
    }

    @Test
    void not_allowed_stops_the_session() {
        assertThat(MsrpStatusAction.of(403)).isEqualTo(STOP_SESSION);
    }

    @Test
    void a_transaction_timeout_stops_the_session() {
        assertThat(MsrpStatusAction.of(408)).isEqualTo(STOP_SESSION);
    }

    @Test
    void stop_sending_refuses_this_message_for_good() {
        assertThat(MsrpStatusAction.of(413)).isEqualTo(REFUSED);
    }

    @Test
    void an_unsupported_media_type_refuses_this_message_for_good() {
        assertThat(MsrpStatusAction.of(415)).isEqualTo(REFUSED);
    }

    @Test
    void parameter_out_of_bounds_stops_the_session() {
        assertThat(MsrpStatusAction.of(423)).isEqualTo(STOP_SESSION);
    }

    @Test
    void a_session_that_does_not_exist_ends_it() {
        assertThat(MsrpStatusAction.of(481)).isEqualTo(STOP_SESSION);
    }

    @Test
    void a_method_not_understood_stops_the_session() {
        assertThat(MsrpStatusAction.of(501)).isEqualTo(STOP_SESSION);
    }

    @Test
    void a_session_bound_to_another_connection_ends_it() {
        assertThat(MsrpStatusAction.of(506)).isEqualTo(STOP_SESSION);
    }

    @ParameterizedTest(name = "{0} counts as {1}")
    @CsvSource({ "202, DELIVERED", "299, DELIVERED", "404, STOP_SESSION", "414, STOP_SESSION", "499, STOP_SESSION",
        "500, STOP_SESSION", "503, STOP_SESSION", "100, STOP_SESSION", "302, STOP_SESSION", "600, STOP_SESSION" })
    void an_unknown_code_counts_as_the_x00_of_its_class(int status, MsrpStatusAction expected) {
        assertThat(MsrpStatusAction.of(status)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} acknowledges: {1}")
    @CsvSource({ "200, true", "202, true", "299, true", "0, false", "408, false", "413, false", "415, false",
        "500, false", "199, false", "300, false" })
    void a_2xx_acknowledges_like_200_and_nothing_else_does(int status, boolean acknowledges) {
        assertThat(MsrpStatusAction.acknowledges(status)).isEqualTo(acknowledges);
        // the outcome that decides what leaves the store reads a status the same way
        assertThat(new MsrpSendResult(status, null, 0).acknowledged()).isEqualTo(acknowledges);
        assertThat(new org.imdp.sipmsrp.PushSessionResult.MessageOutcome("m", status)
                .acknowledged()).isEqualTo(acknowledges);
    }

    @Test
    void reason_phrases_name_the_code() {
        assertThat(MsrpStatusAction.reasonPhrase(415)).isEqualTo("Unsupported media type");
        assertThat(MsrpStatusAction.reasonPhrase(413)).isEqualTo("Stop sending message");
        assertThat(MsrpStatusAction.reasonPhrase(499)).isEqualTo("Status 499");
    }
}
