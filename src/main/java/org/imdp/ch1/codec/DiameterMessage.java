package org.imdp.ch1.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.netty.buffer.ByteBuf;

/**
 * A Diameter message (RFC 6733 §3): 20-octet header and AVPs. Immutable; {@link #withHopByHop} and
 * {@link #withRetransmit} make the copies that a re-send after failover needs.
 */
public final class DiameterMessage {

    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 20;

    public static final int FLAG_REQUEST = 0x80;
    public static final int FLAG_PROXIABLE = 0x40;
    public static final int FLAG_ERROR = 0x20;
    public static final int FLAG_RETRANSMIT = 0x10;

    private final int flags;
    private final int commandCode;
    private final long applicationId;
    private final int hopByHop;
    private final int endToEnd;
    private final List<DiameterAvp> avps;

    public DiameterMessage(int flags, int commandCode, long applicationId, int hopByHop, int endToEnd, List<DiameterAvp> avps) {
        this.flags = flags & 0xFF;
        this.commandCode = commandCode;
        this.applicationId = applicationId;
        this.hopByHop = hopByHop;
        this.endToEnd = endToEnd;
        this.avps = List.copyOf(avps);
    }

    public int flags() {
        return flags;
    }

    public int commandCode() {
        return commandCode;
    }

    public long applicationId() {
        return applicationId;
    }

    public int hopByHop() {
        return hopByHop;
    }

    public int endToEnd() {
        return endToEnd;
    }

    public List<DiameterAvp> avps() {
        return avps;
    }

    public boolean isRequest() {
        return (flags & FLAG_REQUEST) != 0;
    }

    public boolean isProxiable() {
        return (flags & FLAG_PROXIABLE) != 0;
    }

    public boolean isError() {
        return (flags & FLAG_ERROR) != 0;
    }

    public boolean isRetransmit() {
        return (flags & FLAG_RETRANSMIT) != 0;
    }

    public DiameterMessage withHopByHop(int newHopByHop) {
        return new DiameterMessage(flags, commandCode, applicationId, newHopByHop, endToEnd, avps);
    }

    public DiameterMessage withEndToEnd(int newEndToEnd) {
        return new DiameterMessage(flags, commandCode, applicationId, hopByHop, newEndToEnd, avps);
    }

    /** The same request with the T flag: a possible duplicate sent again after a link failure (RFC 6733 §3). */
    public DiameterMessage withRetransmit() {
        return new DiameterMessage(flags | FLAG_RETRANSMIT, commandCode, applicationId, hopByHop, endToEnd, avps);
    }

    /** First top-level AVP with this code and vendor. */
    public Optional<DiameterAvp> avp(int code, long vendorId) {
        return avps.stream().filter(a -> a.code() == code && a.vendorId() == vendorId).findFirst();
    }

    /** First top-level base-protocol (vendor 0) AVP with this code. */
    public Optional<DiameterAvp> avp(int code) {
        return avp(code, 0);
    }

    /** Length of the encoded message: the value of the Message Length field. */
    public int length() {
        int length = HEADER_LENGTH;
        for (DiameterAvp avp : avps) {
            length += avp.paddedLength();
        }
        return length;
    }

    public void encode(ByteBuf out) {
        out.writeByte(VERSION);
        out.writeMedium(length());
        out.writeByte(flags);
        out.writeMedium(commandCode);
        out.writeInt((int) applicationId);
        out.writeInt(hopByHop);
        out.writeInt(endToEnd);
        for (DiameterAvp avp : avps) {
            avp.encode(out);
        }
    }

    /**
     * Decodes exactly one whole message: {@code frame} holds the message and nothing else (the frame
     * decoder has cut it at the Message Length).
     *
     * @throws DiameterCodecException on a bad version, a length that does not match, or a malformed AVP
     */
    public static DiameterMessage decode(ByteBuf frame) {
        Header header = Header.read(frame);
        if (header.length() != frame.readableBytes() + HEADER_LENGTH) {
            throw new MalformedDiameterMessageException(header, "Message Length " + header.length()
                    + " does not match the " + (frame.readableBytes() + HEADER_LENGTH) + " octets of the frame");
        }
        List<DiameterAvp> avps = new ArrayList<>();
        try {
            while (frame.isReadable()) {
                avps.add(DiameterAvp.decode(frame));
            }
        } catch (DiameterCodecException e) {
            throw new MalformedDiameterMessageException(header, e.getMessage());
        }
        return new DiameterMessage(header.flags(), header.commandCode(), header.applicationId(), header.hopByHop(),
                header.endToEnd(), avps);
    }

    @Override
    public String toString() {
        return (isRequest() ? "request " : "answer ") + commandCode + " app " + applicationId
                + String.format(" hbh 0x%08x e2e 0x%08x", hopByHop, endToEnd) + (isRetransmit() ? " T" : "")
                + (isError() ? " E" : "") + " " + avps.size() + " AVPs";
    }

    /** The fixed header, readable even when the AVPs behind it are broken. */
    public record Header(int length, int flags, int commandCode, long applicationId, int hopByHop, int endToEnd) {

        static Header read(ByteBuf in) {
            if (in.readableBytes() < HEADER_LENGTH) {
                throw new DiameterCodecException("truncated header: " + in.readableBytes() + " octets");
            }
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new DiameterCodecException("unsupported Diameter version " + version);
            }
            return new Header(in.readUnsignedMedium(), in.readUnsignedByte(), in.readUnsignedMedium(), in.readUnsignedInt(),
                    in.readInt(), in.readInt());
        }

        public boolean isRequest() {
            return (flags & FLAG_REQUEST) != 0;
        }
    }
}
