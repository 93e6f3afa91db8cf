package org.imdp.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.netty.buffer.Unpooled;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.imdp.sipmsrp.msrp.codec.MsrpEndFlag;
import org.imdp.sipmsrp.msrp.codec.MsrpFrame;
import org.imdp.sipmsrp.msrp.codec.MsrpHeaderNames;
import org.imdp.sipmsrp.msrp.codec.MsrpRequest;
import org.imdp.sipmsrp.msrp.codec.MsrpResponse;

/** Generators of valid MSRP frames and of MSRP-like byte soup, shared by the codec properties. */
final class MsrpFrames {

    private MsrpFrames() {
    }

    /**
     * A valid frame, as plain data: frames hold reference-counted bodies, so each use builds a fresh one.
     * {@code status} is 0 for a request; {@code headers} are the extra headers, between From-Path and
     * Content-Type as the encoder writes them.
     */
    record Spec(String tid, String method, int status, String comment, String toPath, String fromPath,
                List<Map.Entry<String, String>> headers, String contentType, byte[] body, MsrpEndFlag flag) {

        MsrpFrame build() {
            MsrpFrame frame;
            if (status == 0) {
                frame = new MsrpRequest(tid, method, Unpooled.wrappedBuffer(body), flag);
            } else {
                frame = new MsrpResponse(tid, status, comment);
            }
            frame.addHeader(MsrpHeaderNames.TO_PATH, toPath).addHeader(MsrpHeaderNames.FROM_PATH, fromPath);
            headers.forEach(h -> frame.addHeader(h.getKey(), h.getValue()));
            if (body.length > 0) {
                frame.addHeader(MsrpHeaderNames.CONTENT_TYPE, contentType);
            }
            return frame;
        }

        boolean bodyHoldsOwnEndLine() {
            return new String(body, StandardCharsets.ISO_8859_1).contains("-------" + tid);
        }
    }

    /** {@code ident = ALPHANUM 3*31ident-char} (RFC 4975 §9). */
    static Arbitrary<String> tids() {
        Arbitrary<Character> first = Arbitraries.chars().alpha().numeric();
        Arbitrary<String> rest = Arbitraries.strings().alpha().numeric().withChars(".-+%=").ofMinLength(3).ofMaxLength(31);
        return Combinators.combine(first, rest).as((f, r) -> f + r);
    }

    /**
     * A header value the decoder gives back unchanged: printable ASCII, Latin-1, CJK and an emoji (a
     * surrogate pair), without white space at either end (the decoder strips it, as RFC 4975 allows).
     */
    static Arbitrary<String> values(int maxLength) {
        // whole strings, not chars: a lone surrogate is not text, and the encoder writes it as '?'
        return Arbitraries.oneOf(Arbitraries.strings().ascii().ofMaxLength(4), Arbitraries.of("é", "中", "€", "😀", " "))
                .list().ofMaxSize(maxLength / 2).map(ps -> String.join("", ps))
                .filter(v -> !v.isEmpty() && v.length() <= maxLength && v.chars().noneMatch(c -> c < ' ' || c == 0x7f)
                             && v.strip().equals(v));
    }

    static Arbitrary<String> headerNames() {
        Arbitrary<Character> first = Arbitraries.chars().alpha();
        Arbitrary<String> rest = Arbitraries.strings().alpha().numeric().withChars("-.!%*_+`'~").ofMaxLength(15);
        return Combinators.combine(first, rest).as((f, r) -> f + r)
                .filter(n -> !n.equalsIgnoreCase(MsrpHeaderNames.TO_PATH) && !n.equalsIgnoreCase(MsrpHeaderNames.FROM_PATH)
                             && !n.equalsIgnoreCase(MsrpHeaderNames.CONTENT_TYPE));
    }

    /** Bodies made of pieces that trouble an end-line search: CRLFs, dashes, other end-lines, binary. */
    static Arbitrary<byte[]> bodies(int maxPieces) {
        Arbitrary<String> piece = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(8).map(s -> new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)),
                Arbitraries.strings().withCharRange('\0', '\u00ff').ofMaxLength(8),
                Arbitraries.of("\r\n", "\r", "\n", "-------", "\r\n-------", "$", "+", "#", "MSRP ", "\r\n\r\n"),
                tids().map(t -> "\r\n-------" + t + "$\r\n"),
                tids().map(t -> "-------" + t));
        return piece.list().ofMaxSize(maxPieces)
                .map(ps -> String.join("", ps).getBytes(StandardCharsets.ISO_8859_1));
    }

    static Arbitrary<Spec> frames(int maxValueLength, int maxHeaders, int maxBodyPieces) {
        Arbitrary<String> method = Arbitraries.oneOf(Arbitraries.of(MsrpRequest.SEND, MsrpRequest.REPORT),
                Arbitraries.strings().withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(10));
        Arbitrary<Integer> status = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0)), Tuple.of(1, Arbitraries.integers().between(100, 999)));
        Arbitrary<String> comment = Arbitraries.oneOf(Arbitraries.just((String) null),
                Arbitraries.strings().ascii().withChars("é中€ ").ofMinLength(1).ofMaxLength(maxValueLength)
                        .filter(c -> c.chars().noneMatch(ch -> ch < ' ' || ch == 0x7f)));
        Arbitrary<List<Map.Entry<String, String>>> headers = Combinators.combine(headerNames(), values(maxValueLength))
                .as((n, v) -> (Map.Entry<String, String>) new SimpleImmutableEntry<>(n, v))
                .list().ofMaxSize(maxHeaders).map(ArrayList::new);
        Arbitrary<MsrpEndFlag> flag = Arbitraries.of(MsrpEndFlag.class);
        return Combinators.combine(tids(), method, status, comment, values(maxValueLength), values(maxValueLength),
                        headers, Combinators.combine(values(maxValueLength), bodies(maxBodyPieces), flag).as(List::of))
                .as((tid, m, st, c, to, from, hs, rest) -> {
                    boolean request = st == 0;
                    byte[] body = request ? (byte[]) rest.get(1) : new byte[0];
                    return new Spec(tid, m, st, request ? null : c, to, from, hs, (String) rest.get(0), body,
                            request ? (MsrpEndFlag) rest.get(2) : MsrpEndFlag.COMPLETE);
                })
                .filter(spec -> !spec.bodyHoldsOwnEndLine());
    }
}
