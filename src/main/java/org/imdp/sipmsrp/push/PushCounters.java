package org.imdp.sipmsrp.push;

/**
 * What a push session counts, step by step: the endpoint's counters (its MBean attributes), which the session only
 * increments.
 */
public interface PushCounters {

    /** Step 1: an INVITE went out (each one of a session: a redirect or a challenge sends another). */
    void inviteSent();

    /** Step 3: a message went out in an MSRP SEND. */
    void messageSent();

    /** Step 4: the client acknowledged a message. */
    void messageAcknowledged();

    /** Step 4: the client refused a message for good (or it was over the client's a=max-size and never sent). */
    void messageRefused();

    /** A session ended with every message acknowledged or refused for good. */
    void sessionDelivered();

    /** A session reached its end with messages neither acknowledged nor refused (they stay stored). */
    void sessionPartial();

    /** A session failed: its INVITE was refused or unanswered, or its MSRP session was not established. */
    void sessionFailed();

    /** Step 8: the BYE was answered (never waited for). */
    void byeAnswered();

    /** Step 8 never came: the BYE was not answered. */
    void byeTimedOut();
}
