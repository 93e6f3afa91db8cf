package org.imdp.ops;

import java.util.Map;

import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * The service's version ({@link BuildVersion}) in {@code /observe/health}, always UP and in neither liveness nor
 * readiness: which build answers, next to how it is (also in the start-up log line and {@code imdp_build_info}).
 */
final class VersionHealthCheck extends DetailHealthCheck {

    VersionHealthCheck() {
        super("version");
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("version", BuildVersion.version()).up();
    }
}
