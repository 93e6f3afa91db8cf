package org.imdp.charging;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;

/**
 * Jackson support for the {@link Instant}s of {@link ChargingEvent}: RFC 3339 / ISO-8601 UTC strings
 * ({@code 2026-11-26T08:00:03.123Z}). jackson-datatype-jsr310 is not on the classpath, and this is all
 * the event needs. Use it on both sides of {@code im.charging}, e.g. in XML
 * {@code <json library="Jackson" unmarshalType="org.imdp.charging.ChargingEvent"
 * moduleClassNames="org.imdp.charging.ChargingEventJsonModule"/>}.
 */
public class ChargingEventJsonModule extends SimpleModule {

    private static final long serialVersionUID = 1L;

    public ChargingEventJsonModule() {
        super("imdp-charging-event");
        addSerializer(Instant.class, new InstantSerializer());
        addDeserializer(Instant.class, new InstantDeserializer());
    }

    static final class InstantSerializer extends StdScalarSerializer<Instant> {

        private static final long serialVersionUID = 1L;

        InstantSerializer() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.toString());
        }
    }

    static final class InstantDeserializer extends StdScalarDeserializer<Instant> {

        private static final long serialVersionUID = 1L;

        InstantDeserializer() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (Instant) ctxt.handleUnexpectedToken(Instant.class, p);
            }
            String text = p.getText().trim();
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                return (Instant) ctxt.handleWeirdStringValue(Instant.class, text, "not an ISO-8601 instant: %s", e.getMessage());
            }
        }
    }
}
