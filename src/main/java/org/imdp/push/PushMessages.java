package org.imdp.push;

import java.util.List;

import org.imdp.cpim.CpimMessage;
import org.imdp.sipmsrp.PushMessage;
import org.imdp.store.DeferredMessage;

/**
 * The stored messages of a push as the {@code sipmsrp:push} body: each one wrapped in {@code message/cpim}
 * (RFC 3862), so that its original sender, time, IMDN id and the sender's other headers reach the client. The wrap is
 * made when the message is sent, one at a time; a stored message that cannot be wrapped (a value that would break
 * the CPIM syntax) stops the session at it, like an MSRP error that ends it, and the store refuses it for good after
 * {@code imdp.push.max-message-failures} such sessions.
 */
public final class PushMessages {

    private PushMessages() {
    }

    /** The push body of {@code stored}, in the same order. */
    public static List<PushMessage> of(List<DeferredMessage> stored) {
        return stored.stream()
                .map(m -> new PushMessage(m.messageId(), m.sender(), CpimMessage.MIME_TYPE, () -> CpimMessage.wrap(m)))
                .toList();
    }
}
