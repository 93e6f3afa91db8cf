package org.imdp.ch1.support;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Starts a {@link FreeDiameter} before the test class and stops it afterwards (use with {@code @RegisterExtension static}). */
public final class FreeDiameterExtension implements BeforeAllCallback, AfterAllCallback {

    private final FreeDiameter server;

    public FreeDiameterExtension(String name, String identity) {
        this(new FreeDiameter(name, identity));
    }

    public FreeDiameterExtension(FreeDiameter server) {
        this.server = server;
    }

    public FreeDiameter server() {
        return server;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.stop();
    }
}
