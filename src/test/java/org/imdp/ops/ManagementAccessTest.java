package org.imdp.ops;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManagementAccessTest {

    @Test
    void only_the_configured_user_and_password_pass() {
        ManagementAccess access = new ManagementAccess("ops", "s3cret");
        assertThat(access.accepts("ops", "s3cret")).isTrue();
        assertThat(access.accepts("ops", "s3cre")).isFalse();
        assertThat(access.accepts("ops", "s3cret ")).isFalse();
        assertThat(access.accepts("Ops", "s3cret")).isFalse();
        assertThat(access.accepts("", "")).isFalse();
    }

    @Test
    void no_password_means_nobody_passes() {
        ManagementAccess access = new ManagementAccess("admin", "");
        assertThat(access.accepts("admin", "")).isFalse();
    }

    @Test
    void an_empty_user_is_named_as_a_configuration_error() {
        assertThatThrownBy(() -> new ManagementAccess(" ", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("imdp.management.user");
    }
}
