package org.imdp.push;

import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.CamelContextHelper;
import org.apache.camel.support.DefaultComponent;
import org.imdp.store.PushRequests;

/**
 * {@code push-requests:name}: the push requests of the store ({@link PushRequests}) as a Camel consumer, one exchange
 * per push session (see {@link PushRequestEndpoint}). It only consumes; requests are made with
 * {@link PushRequests#request}.
 */
@Component("push-requests")
public class PushRequestComponent extends DefaultComponent {

    @Metadata(autowired = true, description = "The store's push requests (the single PushRequests of the registry)")
    private PushRequests requests;

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (requests == null) {
            requests = CamelContextHelper.findSingleByType(getCamelContext(), PushRequests.class);
        }
        if (requests == null) {
            throw new IllegalStateException("push-requests: no PushRequests in the registry");
        }
        PushRequestEndpoint endpoint = new PushRequestEndpoint(uri, this, requests);
        endpoint.setName(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    public PushRequests getRequests() {
        return requests;
    }

    public void setRequests(PushRequests requests) {
        this.requests = requests;
    }
}
