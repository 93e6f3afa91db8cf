package org.imdp.trust;

import org.imdp.store.RejectedMessageException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HomeDomainsTest {

    @Test
    void a_recipient_of_a_listed_domain_passes_whatever_its_port_case_and_parameters() {
        HomeDomains home = HomeDomains.of("Example.com, ims.example.net,[2001:db8::1]", "sip:as@127.0.0.1");

        assertThatCode(() -> home.check("sip:bob@example.com")).doesNotThrowAnyException();
        assertThatCode(() -> home.check("<sips:bob@EXAMPLE.COM:5061;transport=tls>")).doesNotThrowAnyException();
        assertThatCode(() -> home.check("sip:carol@ims.example.net")).doesNotThrowAnyException();
        assertThatCode(() -> home.check("sip:dan@[2001:db8::1]:5060")).doesNotThrowAnyException();
    }

    @Test
    void any_other_domain_a_subdomain_and_a_tel_uri_are_refused_404_naming_the_key() {
        HomeDomains home = HomeDomains.of("example.com", "sip:as@127.0.0.1");

        for (String stranger : new String[] {"sip:bob@example.org", "sip:bob@evil.example.com", "sip:bob@127.0.0.1",
                                             "tel:+4912345", "sip:bob@example.com.evil.org"}) {
            assertThatThrownBy(() -> home.check(stranger)).as(stranger)
                    .isInstanceOfSatisfying(RejectedMessageException.class, e -> {
                        assertThat(e.getReason()).isEqualTo(RejectedMessageException.Reason.NOT_HOME_DOMAIN);
                    }).hasMessageContaining("imdp.sip.home-domains").hasMessageContaining("[example.com]");
        }
        assertThatThrownBy(() -> home.check("mailto:bob@example.com")).isInstanceOf(IllegalArgumentException.class)
                .isNotInstanceOf(RejectedMessageException.class);
    }

    @Test
    void empty_means_the_domain_of_the_server_uri() {
        HomeDomains home = HomeDomains.of(" ", "sip:im-deferred@Ims.Example.com:5060;transport=tcp");

        assertThat(home).hasToString("[ims.example.com]");
        assertThatCode(() -> home.check("sip:bob@ims.example.com")).doesNotThrowAnyException();
        assertThatThrownBy(() -> home.check("sip:bob@example.com")).isInstanceOf(RejectedMessageException.class);
        assertThat(HomeDomains.of("", "sip:127.0.0.1")).hasToString("[127.0.0.1]");
        assertThatThrownBy(() -> HomeDomains.of("", "tel:+4912345")).hasMessageContaining("names no domain");
    }
}
