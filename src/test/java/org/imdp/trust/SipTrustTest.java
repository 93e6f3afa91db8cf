package org.imdp.trust;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import org.imdp.ImdpSettings;
import org.imdp.sipmsrp.sip.DigestAuthenticator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The trust keys at start: a bad value stops it naming the key; the home domains become the routes' bean. */
class SipTrustTest {

    private static DefaultCamelContext install(String... overrides) {
        DefaultCamelContext context = new DefaultCamelContext();
        Properties p = new Properties();
        p.setProperty("imdp.sip.host", "127.0.0.1");
        p.setProperty("imdp.sip.server-uri", "sip:im-deferred@127.0.0.1");
        p.setProperty("imdp.sip.trusted-nodes", "");
        p.setProperty("imdp.sip.home-domains", "");
        p.setProperty("imdp.sip.auth.username", "");
        p.setProperty("imdp.sip.auth.realm", "");
        p.setProperty("imdp.sip.registrar.credentials", "");
        p.setProperty("imdp.sip.registrar.realm", "");
        for (int i = 0; i < overrides.length; i += 2) {
            p.setProperty(overrides[i], overrides[i + 1]);
        }
        context.getPropertiesComponent().setInitialProperties(p);
        SipTrust.install(context, new ImdpSettings(context.getPropertiesComponent()));
        return context;
    }

    @Test
    void the_defaults_start_with_the_server_uris_domain_as_home() {
        HomeDomains home = install().getRegistry().lookupByNameAndType("homeDomains", HomeDomains.class);

        assertThat(home).hasToString("[127.0.0.1]");
        assertThat(install("imdp.sip.home-domains", "example.com, example.net").getRegistry()
                .lookupByNameAndType("homeDomains", HomeDomains.class)).hasToString("[example.com, example.net]");
    }

    @Test
    void a_trusted_node_that_is_not_an_address_stops_the_start_naming_the_key() {
        assertThatThrownBy(() -> install("imdp.sip.trusted-nodes", "10.0.0.0/8, s-cscf.example.com"))
                .hasMessageContaining("imdp.sip.trusted-nodes").hasMessageContaining("s-cscf.example.com");
    }

    @Test
    void digest_credentials_without_their_realm_stop_the_start_naming_the_key() {
        assertThatThrownBy(() -> install("imdp.sip.auth.username", "im-deferred"))
                .hasMessageContaining("imdp.sip.auth.realm");
        assertThat(install("imdp.sip.auth.username", "im-deferred", "imdp.sip.auth.realm", "ims.example.com"))
                .isNotNull();
    }

    @Test
    void a_registrar_credentials_file_without_its_realm_or_unreadable_stops_the_start_naming_the_key(@TempDir Path dir)
            throws Exception {
        Path users = Files.writeString(dir.resolve("users"),
                "bob:im.example.com:" + DigestAuthenticator.ha1("MD5", "bob", "im.example.com", "x") + "\n");
        assertThatThrownBy(() -> install("imdp.sip.registrar.credentials", users.toString()))
                .hasMessageContaining("imdp.sip.registrar.realm");
        assertThatThrownBy(() -> install("imdp.sip.registrar.credentials", users.toString(),
                "imdp.sip.registrar.realm", "other.example.com"))
                .hasMessageStartingWith("Configuration key imdp.sip.registrar.credentials: " + users + " line 1 is for realm");
        assertThatThrownBy(() -> install("imdp.sip.registrar.credentials", dir.resolve("missing").toString(),
                "imdp.sip.registrar.realm", "im.example.com"))
                .hasMessageContaining("imdp.sip.registrar.credentials").hasMessageContaining("cannot read");
        assertThat(install("imdp.sip.registrar.credentials", users.toString(), "imdp.sip.registrar.realm",
                "im.example.com")).isNotNull();
    }

    @Test
    void a_server_uri_without_a_domain_needs_the_home_domains_named() {
        assertThatThrownBy(() -> install("imdp.sip.server-uri", "tel:+4912345"))
                .hasMessageContaining("imdp.sip.home-domains");
    }
}
