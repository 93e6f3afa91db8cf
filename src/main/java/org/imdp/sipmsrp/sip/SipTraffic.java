package org.imdp.sipmsrp.sip;

import java.util.Comparator;

/**
 * What the component's SIP stacks received and answered, by method and status code: one count for all of them,
 * however many endpoints share a stack.
 */
public final class SipTraffic {

    /** A response: the method of its request (its CSeq) and its status code. */
    public record Response(String method, int code) implements Comparable<Response> {

        private static final Comparator<Response> ORDER = Comparator.comparing(Response::method)
                .thenComparingInt(Response::code);

        @Override
        public int compareTo(Response other) {
            return ORDER.compare(this, other);
        }

        @Override
        public String toString() {
            return method + " " + code;
        }
    }

    private final Tally<String> requestsReceived = new Tally<>();
    private final Tally<Response> responsesSent = new Tally<>();
    private final Tally<Response> responsesReceived = new Tally<>();

    /** Requests received, by method (retransmissions and ACKs included: what arrived). */
    public Tally<String> requestsReceived() {
        return requestsReceived;
    }

    /** Responses we sent to the requests received, by method and code. */
    public Tally<Response> responsesSent() {
        return responsesSent;
    }

    /** Responses received to our requests (INVITE, MESSAGE, BYE, CANCEL), by method and code. */
    public Tally<Response> responsesReceived() {
        return responsesReceived;
    }
}
