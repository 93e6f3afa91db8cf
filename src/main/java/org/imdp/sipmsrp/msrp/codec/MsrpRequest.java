package org.imdp.sipmsrp.msrp.codec;

import java.util.ArrayList;
import java.util.Objects;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;

/**
 * An MSRP request (RFC 4975 §7.1): {@code MSRP tid METHOD}, headers, an optional body and the end-line.
 * The body is a reference-counted {@link ByteBuf}: whoever receives a decoded request must release it;
 * the encoder releases it after writing. A request without a body holds {@link Unpooled#EMPTY_BUFFER}.
 */
public final class MsrpRequest extends MsrpFrame implements ByteBufHolder {

    public static final String SEND = "SEND";
    public static final String REPORT = "REPORT";

    private final String method;
    private final ByteBuf content;

    /** A request without a body. */
    public MsrpRequest(String transactionId, String method) {
        this(transactionId, method, Unpooled.EMPTY_BUFFER, MsrpEndFlag.COMPLETE);
    }

    /** A request whose body is {@code content}; this request takes over the caller's reference. */
    public MsrpRequest(String transactionId, String method, ByteBuf content, MsrpEndFlag endFlag) {
        super(Objects.requireNonNull(transactionId, "transactionId"), endFlag);
        this.method = Objects.requireNonNull(method, "method");
        this.content = Objects.requireNonNull(content, "content");
    }

    private MsrpRequest(MsrpRequest source, ByteBuf content) {
        super(source.transactionId(), source.endFlag(), new ArrayList<>(source.headerList()));
        this.method = source.method;
        this.content = content;
        setDecoderResult(source.decoderResult());
    }

    public String method() {
        return method;
    }

    public String messageId() {
        return header(MsrpHeaderNames.MESSAGE_ID);
    }

    /** @return the parsed Byte-Range, or {@code null} when absent (allowed for a single-chunk SEND) */
    public MsrpByteRange byteRange() {
        String value = header(MsrpHeaderNames.BYTE_RANGE);
        return value == null ? null : MsrpByteRange.parse(value);
    }

    public String failureReport() {
        return header(MsrpHeaderNames.FAILURE_REPORT);
    }

    public String successReport() {
        return header(MsrpHeaderNames.SUCCESS_REPORT);
    }

    /** @return the Status header of a REPORT, e.g. {@code 000 200 OK} */
    public String status() {
        return header(MsrpHeaderNames.STATUS);
    }

    public String contentType() {
        return header(MsrpHeaderNames.CONTENT_TYPE);
    }

    @Override
    public MsrpRequest addHeader(String name, String value) {
        super.addHeader(name, value);
        return this;
    }

    @Override
    public MsrpRequest setEndFlag(MsrpEndFlag endFlag) {
        super.setEndFlag(endFlag);
        return this;
    }

    @Override
    public ByteBuf content() {
        return content;
    }

    @Override
    public MsrpRequest copy() {
        return replace(content.copy());
    }

    @Override
    public MsrpRequest duplicate() {
        return replace(content.duplicate());
    }

    @Override
    public MsrpRequest retainedDuplicate() {
        return replace(content.retainedDuplicate());
    }

    /** A request with the same start line, headers, flag and decoder result, and {@code content} as body. */
    @Override
    public MsrpRequest replace(ByteBuf content) {
        return new MsrpRequest(this, Objects.requireNonNull(content, "content"));
    }

    @Override
    public int refCnt() {
        return content.refCnt();
    }

    @Override
    public MsrpRequest retain() {
        content.retain();
        return this;
    }

    @Override
    public MsrpRequest retain(int increment) {
        content.retain(increment);
        return this;
    }

    @Override
    public MsrpRequest touch() {
        content.touch();
        return this;
    }

    @Override
    public MsrpRequest touch(Object hint) {
        content.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return content.release();
    }

    @Override
    public boolean release(int decrement) {
        return content.release(decrement);
    }

    @Override
    protected String startLineSuffix() {
        return method + " (" + content.readableBytes() + " body bytes)";
    }
}
