package org.imdp.ch1.codec;

/** What the frame decoder emits for a well-framed message with broken AVPs. */
public record MalformedDiameterMessage(DiameterMessage.Header header, String reason) {
}
