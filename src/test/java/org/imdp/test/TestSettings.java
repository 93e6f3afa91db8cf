package org.imdp.test;

import java.util.Map;
import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import org.imdp.ImdpSettings;

/** {@code imdp.*} keys as the service reads them, from key/value pairs, without starting anything. */
public final class TestSettings {

    private TestSettings() {
    }

    /** The settings of {@code keyValues}: key, value, key, value, ... */
    public static ImdpSettings of(String... keyValues) {
        DefaultCamelContext context = new DefaultCamelContext();
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        context.getPropertiesComponent().setInitialProperties(p);
        return new ImdpSettings(context.getPropertiesComponent(), new Properties(), Map.of());
    }
}
