package org.imdp.sipmsrp;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * One message of a {@code sipmsrp:push}: the body is a {@code List<PushMessage>}, in the order they are sent.
 *
 * @param messageId   the message's id, unique in the push: the result reports each message by it, and it is the
 *                    MSRP Message-ID of the SEND when it is a valid MSRP ident (else a fresh one is)
 * @param sender      the original sender's URI: the INVITE's Referred-By when every message has the same one
 * @param contentType the Content-Type of the payload on MSRP; the SDP offer's accept-types are the distinct ones,
 *                    and the client's answer must accept each of them
 * @param payload     makes the payload when the message is about to be sent, so that a push holds one payload at a
 *                    time; whatever it throws stops the session at this message, like an MSRP error that ends it
 */
public record PushMessage(String messageId, String sender, String contentType, Supplier<byte[]> payload) {

    public PushMessage {
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(payload, "payload");
    }

    @Override
    public String toString() {
        return "PushMessage[" + messageId + " " + sender + ", " + contentType + "]";
    }
}
