package org.imdp.tls;

import java.nio.file.Path;

import org.imdp.test.TestCertificates;
import org.imdp.test.TestSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code imdp.tls.*} keys as Camel's TLS parameters, which the service hands to both components. */
class TlsKeysTest {

    @Test
    void keys_come_from_the_imdp_tls_settings_and_an_unreadable_store_names_its_key() {
        Path dir = TestCertificates.dir();
        TlsKeys keys = TlsKeys.from(TestSettings.of("imdp.tls.keystore", dir.resolve("server.p12").toString(),
                "imdp.tls.keystore-password", TestCertificates.PASSWORD, "imdp.tls.keystore-type", "PKCS12",
                "imdp.tls.truststore", dir.resolve("truststore.p12").toString(),
                "imdp.tls.truststore-password", TestCertificates.PASSWORD, "imdp.tls.truststore-type", "PKCS12",
                "imdp.tls.client-auth", "true"));
        assertThat(keys.configured()).isTrue();
        assertThat(keys.parameters().getServerParameters().getClientAuthentication()).isEqualTo("REQUIRE");

        TlsKeys none = TlsKeys.from(TestSettings.of("imdp.tls.keystore", "", "imdp.tls.keystore-password", "",
                "imdp.tls.keystore-type", "PKCS12", "imdp.tls.truststore", "", "imdp.tls.truststore-password", "",
                "imdp.tls.truststore-type", "PKCS12", "imdp.tls.client-auth", "false"));
        assertThat(none.configured()).isFalse();

        assertThatThrownBy(() -> TlsKeys.from(TestSettings.of("imdp.tls.keystore", dir.resolve("missing.p12").toString(),
                "imdp.tls.keystore-password", "", "imdp.tls.keystore-type", "PKCS12", "imdp.tls.truststore", "",
                "imdp.tls.truststore-password", "", "imdp.tls.truststore-type", "PKCS12", "imdp.tls.client-auth", "false")))
                .hasMessageContaining("imdp.tls.keystore = ").hasMessageContaining("missing.p12 is not a readable file");
    }
}
