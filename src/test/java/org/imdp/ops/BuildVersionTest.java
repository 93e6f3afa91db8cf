package org.imdp.ops;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class BuildVersionTest {

    @Test
    void the_version_is_the_maven_project_version_filtered_into_the_build_resource() {
        // a resource left unfiltered would read "${project.version}", which BuildVersion refuses
        assertThat(BuildVersion.version()).matches("\\d+\\.\\d+\\.\\d+(-[A-Za-z0-9.]+)?");
    }
}
