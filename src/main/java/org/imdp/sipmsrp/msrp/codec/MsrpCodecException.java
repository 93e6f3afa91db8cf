package org.imdp.sipmsrp.msrp.codec;

import io.netty.handler.codec.CodecException;

/** Input that does not follow the MSRP grammar of RFC 4975 §9, found while decoding or encoding. */
public class MsrpCodecException extends CodecException {

    private static final long serialVersionUID = 1L;

    public MsrpCodecException(String message) {
        super(message);
    }
}
