package org.imdp.store;

import java.util.List;
import java.util.Map;

/**
 * A recipient's messages checked out for one push session, oldest first. They stay stored until
 * {@link DeferredStore#settle} removes those the client acknowledged; nothing needs returning when a push fails.
 */
public final class PushBatch {

    private final String recipient;
    private final List<DeferredMessage> messages;
    private final Map<String, Long> rowIds;
    private final boolean hasMore;

    PushBatch(String recipient, List<DeferredMessage> messages, Map<String, Long> rowIds, boolean hasMore) {
        this.recipient = recipient;
        this.messages = List.copyOf(messages);
        this.rowIds = Map.copyOf(rowIds);
        this.hasMore = hasMore;
    }

    static PushBatch empty(String recipient) {
        return new PushBatch(recipient, List.of(), Map.of(), false);
    }

    public String recipient() {
        return recipient;
    }

    /** The messages to push, oldest first. */
    public List<DeferredMessage> getMessages() {
        return messages;
    }

    public boolean isEmpty() {
        return messages.isEmpty();
    }

    /**
     * Whether the checkout left messages in the store (over the session's byte budget or message count): once this
     * push has delivered all of its own, the next one follows at once.
     */
    public boolean hasMore() {
        return hasMore;
    }

    /** The store row of one of the batch's messages. */
    long rowId(String messageId) {
        Long row = rowIds.get(messageId);
        if (row == null) {
            throw new IllegalArgumentException("message " + messageId + " is not part of the push batch of " + recipient);
        }
        return row;
    }
}
