package org.imdp.ops;

import java.util.Locale;
import java.util.Set;

import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;

/**
 * The headers of the admin API's answers: only those of the HTTP answer itself ({@code Content-Type}, and the
 * {@code Location} of a push request). Whatever else a route carries (the push request's {@code imdpRecipient},
 * the request's own headers, Camel's) never leaves: the REST DSL's endpoints take this strategy (routes/admin.xml,
 * {@code restConfiguration}, bean {@code adminHeaders}). Headers coming in are filtered as for any HTTP endpoint.
 */
public final class AdminHeaders extends HttpHeaderFilterStrategy {

    private static final Set<String> ANSWERED = Set.of("content-type", "location");

    @Override
    public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
        return !ANSWERED.contains(headerName.toLowerCase(Locale.ROOT))
               || super.applyFilterToCamelHeaders(headerName, headerValue, exchange);
    }
}
