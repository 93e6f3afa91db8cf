package org.imdp.sipmsrp.sip;

import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * A SIP over TLS listening point (RFC 3261 §26.3.1, {@code sips:} and {@code transport=tls}) and the key and trust
 * stores JAIN-SIP's TLS network layer reads: it takes files, not an SSLContext, so they come from the resources of
 * the {@link SSLContextParameters} (the service's are {@code imdp.tls.*}).
 *
 * @param port               the TLS port (5061 by IANA)
 * @param trustStore         empty: the key store is the trust store too (JAIN-SIP's rule)
 * @param clientAuthRequired a client must show a certificate from a trusted CA (mutual TLS)
 */
public record SipTls(int port, String keyStore, String keyStorePassword, String keyStoreType, String trustStore,
        String trustStorePassword, String trustStoreType, boolean clientAuthRequired) {

    /** @throws IllegalArgumentException when the parameters have no key store file (a TLS server needs a certificate) */
    public static SipTls from(int port, SSLContextParameters parameters) {
        KeyStoreParameters keys = parameters.getKeyManagers() == null ? null : parameters.getKeyManagers().getKeyStore();
        if (keys == null || keys.getResource() == null) {
            throw new IllegalArgumentException("SIP over TLS needs a key store file with the service's certificate (imdp.tls.keystore)");
        }
        KeyStoreParameters trust = parameters.getTrustManagers() == null ? null : parameters.getTrustManagers().getKeyStore();
        boolean required = parameters.getServerParameters() != null
                && "REQUIRE".equals(parameters.getServerParameters().getClientAuthentication());
        return new SipTls(port, file(keys.getResource()), keys.getPassword(), keys.getType(),
                trust == null ? null : file(trust.getResource()), trust == null ? null : trust.getPassword(),
                trust == null ? null : trust.getType(), required);
    }

    private static String file(String resource) {
        return resource != null && resource.startsWith("file:") ? resource.substring("file:".length()) : resource;
    }
}
