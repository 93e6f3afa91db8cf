package org.imdp.ch1.codec;

/** Command codes, AVP codes and result codes used by the CH-1 client (RFC 6733, RFC 4006, 3GPP TS 32.299, OMA DDS Charging Data). */
public final class Diameter {

    public static final long VENDOR_3GPP = 10415;

    /** Diameter Base Accounting (RFC 6733 §2.4), the application of Rf. */
    public static final long APP_BASE_ACCOUNTING = 3;

    // commands (RFC 6733 §3.1)
    public static final int CMD_CAPABILITIES_EXCHANGE = 257;
    public static final int CMD_ACCOUNTING = 271;
    public static final int CMD_DEVICE_WATCHDOG = 280;
    public static final int CMD_DISCONNECT_PEER = 282;

    // base AVPs (RFC 6733 §4.5)
    public static final int EVENT_TIMESTAMP = 55;
    public static final int HOST_IP_ADDRESS = 257;
    public static final int ACCT_APPLICATION_ID = 259;
    public static final int SESSION_ID = 263;
    public static final int ORIGIN_HOST = 264;
    public static final int SUPPORTED_VENDOR_ID = 265;
    public static final int VENDOR_ID = 266;
    public static final int FIRMWARE_REVISION = 267;
    public static final int RESULT_CODE = 268;
    public static final int PRODUCT_NAME = 269;
    public static final int DISCONNECT_CAUSE = 273;
    public static final int FAILED_AVP = 279;
    public static final int ERROR_MESSAGE = 281;
    public static final int DESTINATION_REALM = 283;
    public static final int DESTINATION_HOST = 293;
    public static final int ORIGIN_REALM = 296;
    public static final int EXPERIMENTAL_RESULT = 297;
    public static final int EXPERIMENTAL_RESULT_CODE = 298;
    public static final int ACCOUNTING_RECORD_TYPE = 480;
    public static final int ACCOUNTING_RECORD_NUMBER = 485;

    // RFC 4006 AVPs reused by Rf
    public static final int SUBSCRIPTION_ID = 443;
    public static final int SUBSCRIPTION_ID_DATA = 444;
    public static final int SUBSCRIPTION_ID_TYPE = 450;
    public static final int SERVICE_CONTEXT_ID = 461;

    // 3GPP TS 32.299 AVPs (vendor 10415)
    public static final int ROLE_OF_NODE = 829;
    public static final int USER_SESSION_ID = 830;
    public static final int CALLING_PARTY_ADDRESS = 831;
    public static final int CALLED_PARTY_ADDRESS = 832;
    public static final int TIME_STAMPS = 833;
    public static final int SIP_REQUEST_TIMESTAMP = 834;
    public static final int SIP_RESPONSE_TIMESTAMP = 835;
    public static final int NODE_FUNCTIONALITY = 862;
    public static final int SERVICE_INFORMATION = 873;
    public static final int IMS_INFORMATION = 876;

    // OMA DDS Charging Data AVPs (vendor 10415)
    public static final int IM_INFORMATION = 2110;
    public static final int NUMBER_OF_MESSAGES_SUCCESSFULLY_SENT = 2112;
    public static final int TOTAL_NUMBER_OF_MESSAGES_SENT = 2114;

    // values
    public static final int ACCOUNTING_RECORD_TYPE_EVENT = 1;
    public static final int SUBSCRIPTION_ID_TYPE_END_USER_E164 = 0;
    public static final int SUBSCRIPTION_ID_TYPE_END_USER_SIP_URI = 2;
    public static final int ROLE_OF_NODE_TERMINATING = 1;
    public static final int NODE_FUNCTIONALITY_AS = 6;
    public static final int DISCONNECT_CAUSE_REBOOTING = 0;

    // result codes (RFC 6733 §7.1)
    public static final long DIAMETER_SUCCESS = 2001;
    public static final long DIAMETER_COMMAND_UNSUPPORTED = 3001;
    public static final long DIAMETER_UNABLE_TO_DELIVER = 3002;
    public static final long DIAMETER_INVALID_AVP_LENGTH = 5014;

    private Diameter() {
    }
}
