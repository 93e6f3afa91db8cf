package org.imdp.store;

import java.time.Instant;
import java.util.Objects;

import org.imdp.cpim.CpimEnvelope;
import org.imdp.cpim.CpimHeaders;

/**
 * One instant message kept for a recipient that could not take it; pushed wrapped in CPIM ({@link CpimEnvelope}).
 *
 * @param messageId               stable IMDN Message-ID: the same on every delivery attempt, so a client can drop duplicates
 * @param sender                  original sender URI (CPIM From)
 * @param recipient               recipient URI (CPIM To), the key of the per-recipient store
 * @param contentType             MIME type of {@code body}
 * @param dateTime                original submission time (CPIM DateTime), never re-stamped
 * @param dispositionNotification IMDN Disposition-Notification asked for by the sender, or {@code null}
 * @param body                    the content, as received
 * @param cpimHeaders             the other headers of the sender's own CPIM document (Subject, ...), to be carried
 *                                again; {@link CpimHeaders#NONE} when it sent none
 */
public record DeferredMessage(String messageId, String sender, String recipient, String contentType,
        Instant dateTime, String dispositionNotification, byte[] body, CpimHeaders cpimHeaders) implements CpimEnvelope {

    /** A message that came without a CPIM document of its own. */
    public DeferredMessage(String messageId, String sender, String recipient, String contentType, Instant dateTime,
            String dispositionNotification, byte[] body) {
        this(messageId, sender, recipient, contentType, dateTime, dispositionNotification, body, CpimHeaders.NONE);
    }

    public DeferredMessage {
        cpimHeaders = cpimHeaders == null ? CpimHeaders.NONE : cpimHeaders;
        Objects.requireNonNull(messageId, "messageId");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(dateTime, "dateTime");
        Objects.requireNonNull(body, "body");
    }

    public int size() {
        return body.length;
    }

    @Override
    public String toString() {
        // never the body: message content stays out of logs
        return "DeferredMessage[" + messageId + " " + sender + " -> " + recipient + ", " + contentType + ", "
                + body.length + " bytes]";
    }
}
