package org.imdp.ch1.codec;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One Diameter AVP (RFC 6733 §4.1): code, V/M/P flags, optional Vendor-Id and the unpadded data.
 * Immutable; the data is a heap copy so a decoded message never holds a pooled buffer.
 */
public final class DiameterAvp {

    public static final int FLAG_VENDOR = 0x80;
    public static final int FLAG_MANDATORY = 0x40;
    public static final int FLAG_PROTECTED = 0x20;

    /** NTP era 0 starts 1900-01-01; Diameter Time counts seconds from there (RFC 6733 §4.3.1). */
    static final long NTP_OFFSET_SECONDS = 2208988800L;

    private static final int ADDRESS_FAMILY_IPV4 = 1;
    private static final int ADDRESS_FAMILY_IPV6 = 2;

    private final int code;
    private final int flags;
    private final long vendorId;
    private final byte[] data;

    public DiameterAvp(int code, int flags, long vendorId, byte[] data) {
        if (((flags & FLAG_VENDOR) != 0) != (vendorId != 0)) {
            throw new IllegalArgumentException("AVP " + code + ": the V flag and a non-zero Vendor-Id go together");
        }
        this.code = code;
        this.flags = flags & 0xFF;
        this.vendorId = vendorId;
        this.data = data;
    }

    private static int flags(long vendorId, boolean mandatory) {
        return (vendorId != 0 ? FLAG_VENDOR : 0) | (mandatory ? FLAG_MANDATORY : 0);
    }

    public static DiameterAvp octets(int code, long vendorId, boolean mandatory, byte[] value) {
        return new DiameterAvp(code, flags(vendorId, mandatory), vendorId, value.clone());
    }

    public static DiameterAvp utf8(int code, long vendorId, boolean mandatory, String value) {
        return new DiameterAvp(code, flags(vendorId, mandatory), vendorId, value.getBytes(StandardCharsets.UTF_8));
    }

    /** DiameterIdentity is an FQDN in ASCII (RFC 6733 §4.3.1), same wire form as UTF8String. */
    public static DiameterAvp identity(int code, long vendorId, boolean mandatory, String fqdn) {
        return new DiameterAvp(code, flags(vendorId, mandatory), vendorId, fqdn.getBytes(StandardCharsets.US_ASCII));
    }

    public static DiameterAvp unsigned32(int code, long vendorId, boolean mandatory, long value) {
        if (value < 0 || value > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("Unsigned32 out of range: " + value);
        }
        return new DiameterAvp(code, flags(vendorId, mandatory), vendorId, ByteBuffer.allocate(4).putInt((int) value).array());
    }

    public static DiameterAvp unsigned64(int code, long vendorId, boolean mandatory, long value) {
        return new DiameterAvp(code, flags(vendorId, mandatory), vendorId, ByteBuffer.allocate(8).putLong(value).array());
    }

    public static DiameterAvp integer32(int code, long vendorId, boolean mandatory, int value) {
        return new DiameterAvp(code, flags(vendorId, mandatory), vendorId, ByteBuffer.allocate(4).putInt(value).array());
    }

    /** Enumerated is derived from Integer32 (RFC 6733 §4.3.1). */
    public static DiameterAvp enumerated(int code, long vendorId, boolean mandatory, int value) {
        return integer32(code, vendorId, mandatory, value);
    }

    /** Time: 32-bit NTP seconds; instants before 1968-01-20 or after 2104 do not fit era 0 and are rejected. */
    public static DiameterAvp time(int code, long vendorId, boolean mandatory, Instant value) {
        long ntp = value.getEpochSecond() + NTP_OFFSET_SECONDS;
        if (ntp < 0 || ntp > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("Time outside NTP era 0: " + value);
        }
        return new DiameterAvp(code, flags(vendorId, mandatory), vendorId, ByteBuffer.allocate(4).putInt((int) ntp).array());
    }

    /** Address: 2-octet address family (IANA 1 = IPv4, 2 = IPv6) then the address (RFC 6733 §4.3.1). */
    public static DiameterAvp address(int code, long vendorId, boolean mandatory, InetAddress value) {
        byte[] raw = value.getAddress();
        ByteBuffer buf = ByteBuffer.allocate(2 + raw.length);
        buf.putShort((short) (raw.length == 4 ? ADDRESS_FAMILY_IPV4 : ADDRESS_FAMILY_IPV6)).put(raw);
        return new DiameterAvp(code, flags(vendorId, mandatory), vendorId, buf.array());
    }

    public static DiameterAvp grouped(int code, long vendorId, boolean mandatory, List<DiameterAvp> members) {
        ByteBuf buf = Unpooled.buffer();
        try {
            for (DiameterAvp member : members) {
                member.encode(buf);
            }
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return new DiameterAvp(code, flags(vendorId, mandatory), vendorId, bytes);
        } finally {
            buf.release();
        }
    }

    public int code() {
        return code;
    }

    public int flags() {
        return flags;
    }

    public long vendorId() {
        return vendorId;
    }

    public boolean isVendorSpecific() {
        return (flags & FLAG_VENDOR) != 0;
    }

    public boolean isMandatory() {
        return (flags & FLAG_MANDATORY) != 0;
    }

    public boolean isProtected() {
        return (flags & FLAG_PROTECTED) != 0;
    }

    /** Header (8 or 12 octets) plus data, without padding: the value of the AVP Length field. */
    public int length() {
        return (isVendorSpecific() ? 12 : 8) + data.length;
    }

    /** Length on the wire including the padding to the next 32-bit boundary. */
    public int paddedLength() {
        return (length() + 3) & ~3;
    }

    public byte[] asOctets() {
        return data.clone();
    }

    public String asUtf8() {
        return new String(data, StandardCharsets.UTF_8);
    }

    public String asIdentity() {
        return new String(data, StandardCharsets.US_ASCII);
    }

    public long asUnsigned32() {
        requireSize(4);
        return ByteBuffer.wrap(data).getInt() & 0xFFFFFFFFL;
    }

    public long asUnsigned64() {
        requireSize(8);
        return ByteBuffer.wrap(data).getLong();
    }

    public int asInteger32() {
        requireSize(4);
        return ByteBuffer.wrap(data).getInt();
    }

    public int asEnumerated() {
        return asInteger32();
    }

    public Instant asTime() {
        return Instant.ofEpochSecond(asUnsigned32() - NTP_OFFSET_SECONDS);
    }

    public InetAddress asAddress() {
        if (data.length != 6 && data.length != 18) {
            throw new DiameterCodecException("AVP " + code + ": an Address of " + data.length + " octets is neither IPv4 nor IPv6");
        }
        try {
            return InetAddress.getByAddress(Arrays.copyOfRange(data, 2, data.length));
        } catch (UnknownHostException e) {
            throw new DiameterCodecException("AVP " + code + ": bad address", e);
        }
    }

    /** Parses the data as a sequence of AVPs; a malformed member throws {@link DiameterCodecException}. */
    public List<DiameterAvp> asGrouped() {
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        try {
            List<DiameterAvp> members = new ArrayList<>();
            while (buf.isReadable()) {
                members.add(decode(buf));
            }
            return members;
        } finally {
            buf.release();
        }
    }

    private void requireSize(int size) {
        if (data.length != size) {
            throw new DiameterCodecException("AVP " + code + " has " + data.length + " octets, expected " + size);
        }
    }

    /** Writes header, data and zero padding. */
    public void encode(ByteBuf out) {
        out.writeInt(code);
        out.writeByte(flags);
        out.writeMedium(length());
        if (isVendorSpecific()) {
            out.writeInt((int) vendorId);
        }
        out.writeBytes(data);
        out.writeZero(paddedLength() - length());
    }

    /**
     * Reads one AVP and its padding from {@code in}. The padding of the last AVP may be absent only
     * if nothing follows; a length that runs past the buffer is a truncated AVP.
     */
    public static DiameterAvp decode(ByteBuf in) {
        if (in.readableBytes() < 8) {
            throw new DiameterCodecException("truncated AVP header: " + in.readableBytes() + " octets left");
        }
        int code = in.readInt();
        int flags = in.readUnsignedByte();
        int length = in.readUnsignedMedium();
        boolean vendor = (flags & FLAG_VENDOR) != 0;
        int headerLength = vendor ? 12 : 8;
        if (length < headerLength) {
            throw new DiameterCodecException("AVP " + code + ": length " + length + " is shorter than its header");
        }
        if (in.readableBytes() < length - 8) {
            throw new DiameterCodecException("truncated AVP " + code + ": length " + length + ", only "
                    + (in.readableBytes() + 8) + " octets left");
        }
        long vendorId = vendor ? in.readUnsignedInt() : 0;
        if (vendor && vendorId == 0) {
            throw new DiameterCodecException("AVP " + code + ": V flag with Vendor-Id 0");
        }
        byte[] data = new byte[length - headerLength];
        in.readBytes(data);
        int padding = ((length + 3) & ~3) - length;
        in.skipBytes(Math.min(padding, in.readableBytes()));
        return new DiameterAvp(code, flags, vendorId, data);
    }

    @Override
    public String toString() {
        return "AVP(" + code + (vendorId != 0 ? "/" + vendorId : "") + (isMandatory() ? ",M" : "") + ", " + data.length + " octets)";
    }
}
