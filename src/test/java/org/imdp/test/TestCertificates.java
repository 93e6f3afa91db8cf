package org.imdp.test;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.imdp.tls.TlsKeys;

/**
 * Test certificates made once per test JVM by {@code scripts/tls/make-test-certs.sh} (the script operators use):
 * a CA, a server and a client certificate, each for 127.0.0.1 and localhost, in a directory of this JVM's own.
 */
public final class TestCertificates {

    public static final String PASSWORD = "changeit";
    /** DNS name in the server certificate (freeDiameter's identity in the CH-1 tests). */
    public static final String SERVER_NAME = "ocs.localdomain";
    /** DNS name in the client certificate (the service's Origin-Host). */
    public static final String CLIENT_NAME = "im-deferred.localdomain";

    private static Path dir;

    private TestCertificates() {
    }

    /** The directory with ca.pem, server.{pem,key,p12}, client.{pem,key,p12} and truststore.p12. */
    public static synchronized Path dir() {
        if (dir == null) {
            Path target = Path.of("target", "tls", String.valueOf(ProcessHandle.current().pid())).toAbsolutePath();
            try {
                Files.createDirectories(target);
                Process p = new ProcessBuilder(Path.of("scripts", "tls", "make-test-certs.sh").toAbsolutePath().toString(),
                        target.toString(), PASSWORD, SERVER_NAME, CLIENT_NAME)
                        .redirectErrorStream(true).redirectOutput(target.resolve("make-test-certs.out").toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    throw new IllegalStateException("make-test-certs.sh failed: "
                            + Files.readString(target.resolve("make-test-certs.out")));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            dir = target;
        }
        return dir;
    }

    public static Path file(String name) {
        return dir().resolve(name);
    }

    /** Keys of one side: {@code server} or {@code client}'s key store and the CA's trust store. */
    public static TlsKeys keys(String side, boolean clientAuthRequired) {
        return new TlsKeys(file(side + ".p12").toString(), PASSWORD, "PKCS12", file("truststore.p12").toString(),
                PASSWORD, "PKCS12", clientAuthRequired);
    }

    public static SSLContextParameters parameters(String side, boolean clientAuthRequired) {
        return keys(side, clientAuthRequired).parameters();
    }

    /** The JDK TLS context of {@code parameters}, made as the components make theirs. */
    public static SSLContext sslContext(SSLContextParameters parameters) {
        try {
            return parameters.createSSLContext(new DefaultCamelContext());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Cannot load the test key or trust store", e);
        }
    }
}
