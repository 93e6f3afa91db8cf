package org.imdp.ch1;

import org.apache.camel.spi.Metadata;

/** Headers of the {@code ch1} component. */
public final class Ch1Constants {

    @Metadata(label = "producer", description = "Result-Code of the ACA (2001 on success).", javaType = "Long", important = true)
    public static final String RESULT_CODE = "CamelCh1ResultCode";
    @Metadata(label = "producer", description = "Session-Id of the ACR: stable for one charging event, so that the Charging"
            + " Enabler can recognise a record it already has.", javaType = "String")
    public static final String SESSION_ID = "CamelCh1SessionId";
    @Metadata(label = "producer", description = "host:port of the peer that answered.", javaType = "String")
    public static final String PEER = "CamelCh1Peer";
    @Metadata(label = "producer", description = "Origin-Host of the ACA.", javaType = "String")
    public static final String ANSWER_ORIGIN_HOST = "CamelCh1AnswerOriginHost";
    @Metadata(label = "producer", description = "End-to-End identifier of the ACR.", javaType = "Long")
    public static final String END_TO_END_ID = "CamelCh1EndToEndId";
    @Metadata(label = "producer", description = "Whether the ACR that got the answer carried the T flag (re-sent after a"
            + " failover, or a redelivered event).", javaType = "Boolean")
    public static final String RETRANSMITTED = "CamelCh1Retransmitted";
    @Metadata(label = "producer", description = "Input: true when this event may have been sent before (for example"
            + " JMSRedelivered); the ACR then carries the T flag from its first send on.", javaType = "Boolean")
    public static final String POSSIBLE_DUPLICATE = "CamelCh1PossibleDuplicate";

    @Metadata(label = "producer", description = "Input: true to fail at once (Ch1TransientException) when no peer is"
            + " OPEN, instead of waiting up to the request timeout for one; for a caller that keeps the event durably"
            + " and retries it elsewhere.", javaType = "Boolean")
    public static final String FAIL_WITHOUT_OPEN_PEER = "CamelCh1FailWithoutOpenPeer";

    private Ch1Constants() {
    }
}
