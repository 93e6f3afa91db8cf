package org.imdp.sipmsrp;

/**
 * The component cannot listen where its options say: SIP on {@code host:port} (its transports) or MSRP on
 * {@code msrpHost:msrpPort}, typically because another process holds the port. The route that needs it cannot start.
 */
public class SipMsrpListenException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What the socket is for. */
    public enum Listener {
        SIP, MSRP
    }

    private final Listener listener;
    private final String host;
    private final int port;

    public SipMsrpListenException(Listener listener, String host, int port, Throwable cause) {
        super("Cannot listen for " + listener + " on " + host + ":" + port + ": " + rootMessage(cause), cause);
        this.listener = listener;
        this.host = host;
        this.port = port;
    }

    private static String rootMessage(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getName();
    }

    public Listener getListener() {
        return listener;
    }

    public String getHost() {
        return host;
    }

    public int getPort() {
        return port;
    }
}
