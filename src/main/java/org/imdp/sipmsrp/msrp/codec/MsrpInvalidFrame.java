package org.imdp.sipmsrp.msrp.codec;

import io.netty.handler.codec.DecoderResult;

/**
 * What the decoder emits for input whose start line is not an MSRP start line at all, so that neither a
 * request nor a response can be built. Its {@link #decoderResult()} is always a failure and its
 * transaction id is {@code null}: there is nobody to answer, and the connection is best closed.
 */
public final class MsrpInvalidFrame extends MsrpFrame {

    public MsrpInvalidFrame(Throwable cause) {
        // no end-line was read: ABORTED marks the frame as unusable
        super(null, MsrpEndFlag.ABORTED);
        setDecoderResult(DecoderResult.failure(cause));
    }

    @Override
    protected String startLineSuffix() {
        return "(invalid)";
    }
}
