package org.imdp.tls;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.SSLContextServerParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.imdp.ImdpSettings;

/**
 * The service's TLS keys and trust, from the {@code imdp.tls.*} keys: one key store (the service's certificate and
 * private key, shown as server on SIP and MSRP and as client on CH-1 and outgoing MSRP) and one trust store (the CAs
 * whose certificates peers may show). As Camel's {@link SSLContextParameters}, the type Camel components take TLS
 * settings in, so the components read them in the usual way ({@code sslContextParameters}, else the CamelContext's
 * global one, which the service sets from these keys).
 *
 * @param keystore           path of the key store; empty = no certificate of our own (a server needs one, a client
 *                           then cannot answer a peer that requires client certificates)
 * @param truststore         path of the trust store; empty = the JVM's default CAs
 * @param clientAuthRequired a TLS server (SIP, MSRP) requires a certificate from the client, which the trust store
 *                           must vouch for (mutual TLS); false = no client certificate is asked for
 */
public record TlsKeys(String keystore, String keystorePassword, String keystoreType, String truststore,
        String truststorePassword, String truststoreType, boolean clientAuthRequired) {

    /** The {@code imdp.tls.*} keys; docs/security.md, "TLS", documents them. */
    public static final String KEYSTORE = "imdp.tls.keystore";
    public static final String KEYSTORE_PASSWORD = "imdp.tls.keystore-password";
    public static final String KEYSTORE_TYPE = "imdp.tls.keystore-type";
    public static final String TRUSTSTORE = "imdp.tls.truststore";
    public static final String TRUSTSTORE_PASSWORD = "imdp.tls.truststore-password";
    public static final String TRUSTSTORE_TYPE = "imdp.tls.truststore-type";
    public static final String CLIENT_AUTH = "imdp.tls.client-auth";

    public TlsKeys {
        keystore = keystore == null ? "" : keystore.trim();
        truststore = truststore == null ? "" : truststore.trim();
    }

    /** Reads the keys; a store that is named but cannot be read stops the start, naming its key. */
    public static TlsKeys from(ImdpSettings settings) {
        TlsKeys keys = new TlsKeys(settings.string(KEYSTORE), settings.string(KEYSTORE_PASSWORD),
                settings.string(KEYSTORE_TYPE), settings.string(TRUSTSTORE), settings.string(TRUSTSTORE_PASSWORD),
                settings.string(TRUSTSTORE_TYPE), settings.bool(CLIENT_AUTH));
        requireReadable(KEYSTORE, keys.keystore);
        requireReadable(TRUSTSTORE, keys.truststore);
        return keys;
    }

    private static void requireReadable(String key, String path) {
        if (!path.isEmpty() && !Files.isReadable(Path.of(path))) {
            throw new IllegalArgumentException("Configuration key " + key + " = " + path + " is not a readable file");
        }
    }

    /** Whether any key or trust store is configured: only then does the service set the global TLS parameters. */
    public boolean configured() {
        return !keystore.isEmpty() || !truststore.isEmpty();
    }

    /** Camel's TLS parameters for these stores; the server side asks for client certificates when so configured. */
    public SSLContextParameters parameters() {
        SSLContextParameters parameters = new SSLContextParameters();
        if (!keystore.isEmpty()) {
            KeyManagersParameters keyManagers = new KeyManagersParameters();
            keyManagers.setKeyStore(store(keystore, keystorePassword, keystoreType));
            keyManagers.setKeyPassword(keystorePassword);
            parameters.setKeyManagers(keyManagers);
        }
        if (!truststore.isEmpty()) {
            TrustManagersParameters trustManagers = new TrustManagersParameters();
            trustManagers.setKeyStore(store(truststore, truststorePassword, truststoreType));
            parameters.setTrustManagers(trustManagers);
        }
        SSLContextServerParameters server = new SSLContextServerParameters();
        server.setClientAuthentication(clientAuthRequired ? "REQUIRE" : "NONE");
        parameters.setServerParameters(server);
        return parameters;
    }

    private static KeyStoreParameters store(String path, String password, String type) {
        KeyStoreParameters store = new KeyStoreParameters();
        store.setResource("file:" + path);
        store.setPassword(password);
        store.setType(type);
        return store;
    }
}
