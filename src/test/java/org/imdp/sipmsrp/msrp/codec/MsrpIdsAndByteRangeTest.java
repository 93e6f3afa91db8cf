package org.imdp.sipmsrp.msrp.codec;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MsrpIdsAndByteRangeTest {

    @Test
    void idsAreAlphanumericIdentsOfTheDocumentedLength() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String tid = MsrpIds.newTransactionId();
            assertThat(tid).hasSize(MsrpIds.TRANSACTION_ID_LENGTH).matches("[A-Za-z0-9]+");
            assertThat(MsrpIds.isIdent(tid)).isTrue();
            assertThat(seen.add(tid)).as("duplicate %s", tid).isTrue();
        }
        assertThat(MsrpIds.newSessionId()).hasSize(MsrpIds.SESSION_ID_LENGTH).matches("[A-Za-z0-9]+");
        assertThat(MsrpIds.newMessageId()).hasSize(MsrpIds.MESSAGE_ID_LENGTH).matches("[A-Za-z0-9]+");
    }

    @Test
    void identFollowsTheRfcGrammar() {
        assertThat(MsrpIds.isIdent("a786hjs2")).isTrue();
        assertThat(MsrpIds.isIdent("abc")).as("too short").isFalse();
        assertThat(MsrpIds.isIdent("a".repeat(33))).as("too long").isFalse();
        assertThat(MsrpIds.isIdent("-abc")).as("must start alphanumeric").isFalse();
        assertThat(MsrpIds.isIdent("ab c")).isFalse();
    }

    @Test
    void parsesAndFormatsByteRanges() {
        assertThat(MsrpByteRange.parse("1-286/286")).isEqualTo(new MsrpByteRange(1, 286, 286));
        assertThat(MsrpByteRange.parse("1-*/*")).isEqualTo(
                new MsrpByteRange(1, MsrpByteRange.UNKNOWN, MsrpByteRange.UNKNOWN));
        assertThat(MsrpByteRange.parse("1-0/0")).hasToString("1-0/0");
        assertThat(new MsrpByteRange(65537, 131072, MsrpByteRange.UNKNOWN)).hasToString("65537-131072/*");
        assertThatThrownBy(() -> MsrpByteRange.parse("0-1/1")).isInstanceOf(MsrpCodecException.class);
        assertThatThrownBy(() -> MsrpByteRange.parse("1-5/4")).isInstanceOf(MsrpCodecException.class);
        assertThatThrownBy(() -> MsrpByteRange.parse("banana")).isInstanceOf(MsrpCodecException.class);
    }
}
