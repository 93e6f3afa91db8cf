package org.imdp.sipmsrp;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLSocket;

import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.jsse.SSLContextParameters;

/** Raw SIP over a socket (TCP, or a JSSE TLS connection), as a trusted node (an S-CSCF, an IM Server part) sends it. */
public final class RawSipClient {

    private static final CamelContext CAMEL = new DefaultCamelContext();

    private RawSipClient() {
    }

    /** A TLS connection to {@code host:port} with {@code keys}; the handshake happens on the first write. */
    public static SSLSocket connect(SSLContextParameters keys, String host, int port) throws Exception {
        SSLSocket socket = (SSLSocket) keys.createSSLContext(CAMEL).getSocketFactory().createSocket(host, port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** A MESSAGE from {@code from} to {@code to} on {@code socket}; returns the status line of the final response. */
    public static String message(SSLSocket socket, String from, String to, String body) throws Exception {
        String id = Integer.toHexString((from + to + body).hashCode());
        return message(socket, "TLS", from, to, "tls-" + id, "z9hG4bK-tls-" + id, body);
    }

    /**
     * A MESSAGE from {@code from} to {@code to} written on {@code socket} as it is (Via over {@code transport}, From
     * tag {@code tag}, Call-ID {@code tag@127.0.0.1}, CSeq 1, Via branch {@code branch}: the same for every copy sent
     * with the same values); returns the status line of the first response, empty when the connection ends without one.
     */
    public static String message(Socket socket, String transport, String from, String to, String tag, String branch,
            String body) throws Exception {
        String request = "MESSAGE " + to + " SIP/2.0\r\n"
                         + "Via: SIP/2.0/" + transport + " 127.0.0.1:" + socket.getLocalPort() + ";branch=" + branch + "\r\n"
                         + "Max-Forwards: 70\r\n"
                         + "From: <" + from + ">;tag=" + tag + "\r\n"
                         + "To: <" + to + ">\r\n"
                         + "Call-ID: " + tag + "@127.0.0.1\r\n"
                         + "CSeq: 1 MESSAGE\r\n"
                         + "Content-Type: text/plain\r\n"
                         + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n"
                         + body;
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).strip();
    }
}
