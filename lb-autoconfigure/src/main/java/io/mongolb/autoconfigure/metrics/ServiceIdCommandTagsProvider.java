package io.mongolb.autoconfigure.metrics;

import com.mongodb.event.CommandEvent;
import com.mongodb.event.CommandStartedEvent;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.mongodb.MongoCommandTagsProvider;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.TrackedService;
import org.bson.types.ObjectId;

/**
 * Adds {@code service.id} to the tags of Micrometer's {@code mongodb.driver.commands}
 * meters, wrapping the tags provider the application would otherwise use (Micrometer's
 * {@code DefaultMongoCommandTagsProvider}, or the application's own).
 * <p>
 * The value is the serviceId in hexadecimal while the topology tracks the service,
 * {@code untracked} for a service refused at the bound, and {@code none} for a connection
 * without a serviceId (not load-balanced), so that every meter of the name has the same
 * tag keys. {@link DriverCommandMetersBinder} removes the meters of a service once it is
 * no longer tracked, which keeps the number of values bounded.
 *
 * @since 0.1.0
 */
public class ServiceIdCommandTagsProvider implements MongoCommandTagsProvider {

	/** The value for a service that is not tracked. */
	public static final String UNTRACKED = "untracked";

	/** The value for a connection that has no serviceId. */
	public static final String NONE = "none";

	private final MongoCommandTagsProvider delegate;

	private final LoadBalancedTopology topology;

	/**
	 * Wrap a tags provider.
	 * @param delegate the provider whose tags to extend
	 * @param topology the topology model that tracks the services
	 */
	public ServiceIdCommandTagsProvider(MongoCommandTagsProvider delegate, LoadBalancedTopology topology) {
		this.delegate = delegate;
		this.topology = topology;
	}

	@Override
	public void commandStarted(CommandStartedEvent event) {
		this.delegate.commandStarted(event);
	}

	@Override
	public Iterable<Tag> commandTags(CommandEvent event) {
		return Tags.of(this.delegate.commandTags(event)).and(MeterNames.SERVICE_ID, serviceIdTag(event));
	}

	private String serviceIdTag(CommandEvent event) {
		ObjectId serviceId = event.getConnectionDescription().getServiceId();
		if (serviceId == null) {
			return NONE;
		}
		TrackedService service = this.topology.trackedService(serviceId);
		return (service != null) ? service.serviceIdHex() : UNTRACKED;
	}

	/**
	 * The provider this one wraps.
	 * @return the wrapped provider
	 */
	public MongoCommandTagsProvider getDelegate() {
		return this.delegate;
	}

}
