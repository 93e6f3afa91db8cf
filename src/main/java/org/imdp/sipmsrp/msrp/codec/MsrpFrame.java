package org.imdp.sipmsrp.msrp.codec;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.DecoderResultProvider;

/**
 * Common part of an MSRP request or response: the transaction id, the header fields in their wire order
 * and the end-line flag. A frame the decoder could not parse carries a failed {@link #decoderResult()}.
 * <p>
 * Header names are matched case-insensitively on lookup; the order they were added in is kept (the
 * encoder still puts To-Path and From-Path first and Content-Type last, as RFC 4975 §7.1 requires).
 */
public abstract class MsrpFrame implements DecoderResultProvider {

    private final String transactionId;
    private final List<Map.Entry<String, String>> headers;
    private MsrpEndFlag endFlag;
    private DecoderResult decoderResult = DecoderResult.SUCCESS;

    protected MsrpFrame(String transactionId, MsrpEndFlag endFlag) {
        this(transactionId, endFlag, new ArrayList<>());
    }

    /** For copies: {@code headers} is taken as it is. */
    MsrpFrame(String transactionId, MsrpEndFlag endFlag, List<Map.Entry<String, String>> headers) {
        this.transactionId = transactionId;
        this.endFlag = Objects.requireNonNull(endFlag, "endFlag");
        this.headers = headers;
    }

    /** @return the transaction id; {@code null} only in an {@link MsrpInvalidFrame} */
    public String transactionId() {
        return transactionId;
    }

    public MsrpEndFlag endFlag() {
        return endFlag;
    }

    public MsrpFrame setEndFlag(MsrpEndFlag endFlag) {
        this.endFlag = Objects.requireNonNull(endFlag, "endFlag");
        return this;
    }

    /** @return all header fields in the order they were added (read-only view) */
    public List<Map.Entry<String, String>> headers() {
        return Collections.unmodifiableList(headers);
    }

    /** @return the value of the first header called {@code name} (any case), or {@code null} */
    public String header(String name) {
        for (Map.Entry<String, String> header : headers) {
            if (header.getKey().equalsIgnoreCase(name)) {
                return header.getValue();
            }
        }
        return null;
    }

    /** Appends a header field; values are checked by the encoder, not here. */
    public MsrpFrame addHeader(String name, String value) {
        headers.add(new SimpleImmutableEntry<>(Objects.requireNonNull(name, "name"),
                Objects.requireNonNull(value, "value")));
        return this;
    }

    public String toPath() {
        return header(MsrpHeaderNames.TO_PATH);
    }

    public String fromPath() {
        return header(MsrpHeaderNames.FROM_PATH);
    }

    @Override
    public DecoderResult decoderResult() {
        return decoderResult;
    }

    @Override
    public void setDecoderResult(DecoderResult result) {
        this.decoderResult = Objects.requireNonNull(result, "result");
    }

    /** The header list itself, for copies within the codec package. */
    List<Map.Entry<String, String>> headerList() {
        return headers;
    }

    /** The text after {@code MSRP <tid> }: the method, or the status code and comment. */
    protected abstract String startLineSuffix();

    @Override
    public String toString() {
        // headers only: bodies never go to logs
        return getClass().getSimpleName() + "[MSRP " + transactionId + " " + startLineSuffix() + ", " + headers
               + ", " + endFlag.symbol() + (decoderResult.isFailure() ? ", " + decoderResult : "") + "]";
    }
}
