package org.imdp.sipmsrp.sdp;

import java.util.Locale;

/** Values of the SDP {@code a=setup} attribute (RFC 4145, used for MSRP by RFC 6135). */
public enum SdpSetup {
    ACTIVE,
    PASSIVE,
    ACTPASS,
    HOLDCONN;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the value, or {@code null} when it is not one of the four defined ones */
    static SdpSetup parse(String value) {
        for (SdpSetup s : values()) {
            if (s.value().equalsIgnoreCase(value.trim())) {
                return s;
            }
        }
        return null;
    }
}
