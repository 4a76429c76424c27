package io.mongolb.autoconfigure.observation;

import com.mongodb.connection.ConnectionId;
import com.mongodb.observability.micrometer.DefaultMongodbObservationConvention;
import com.mongodb.observability.micrometer.MicrometerObservabilitySettings;
import com.mongodb.observability.micrometer.MongodbObservationContext;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The MongoDB driver's observation convention, plus the serviceId of the mongos that
 * served a command as the high-cardinality key {@value #SERVICE_ID_KEY}.
 * <p>
 * The driver's command observations carry the {@link ConnectionId} of the pooled
 * connection the command ran on; the {@link LoadBalancedTopology} knows which service
 * each connection reached ({@link LoadBalancedTopology#serviceIdOf(ConnectionId)}), from
 * the serviceId the driver reports with every command event. Operation and transaction
 * observations have no connection, so they carry no serviceId; neither does a command
 * whose connection the topology does not know (a service beyond
 * {@code mongodb.load-balanced.metrics.max-services}). Every other key is the delegate's,
 * unchanged.
 * <p>
 * Set it with {@link MicrometerObservabilitySettings.Builder#observationConvention}: the
 * driver then applies it to its own observations only, unlike an
 * {@code ObservationFilter} registered on the {@code ObservationRegistry}, which would
 * see every observation of the application.
 *
 * @since 0.1.0
 */
public class ServiceIdObservationConvention implements ObservationConvention<MongodbObservationContext> {

	/**
	 * The high-cardinality key of the serviceId, as a 24-digit hexadecimal ObjectId.
	 */
	public static final String SERVICE_ID_KEY = "mongodb.service.id";

	private final LoadBalancedTopology topology;

	private final ObservationConvention<MongodbObservationContext> delegate;

	/**
	 * Create a convention that adds the serviceId to the driver's default convention.
	 * @param topology the topology that maps connections to services
	 */
	public ServiceIdObservationConvention(LoadBalancedTopology topology) {
		this(topology, new DefaultMongodbObservationConvention());
	}

	/**
	 * Create a convention that adds the serviceId to another convention.
	 * @param topology the topology that maps connections to services
	 * @param delegate the convention whose names and keys to keep
	 */
	public ServiceIdObservationConvention(LoadBalancedTopology topology,
			ObservationConvention<MongodbObservationContext> delegate) {
		this.topology = topology;
		this.delegate = delegate;
	}

	@Override
	public boolean supportsContext(Observation.Context context) {
		return context instanceof MongodbObservationContext && this.delegate.supportsContext(context);
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(MongodbObservationContext context) {
		return this.delegate.getLowCardinalityKeyValues(context);
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(MongodbObservationContext context) {
		KeyValues keyValues = this.delegate.getHighCardinalityKeyValues(context);
		// Micrometer asks when the observation starts and again when it stops: the first
		// command on a new connection is correlated with its service by the time it
		// stops, as the driver reports the command's outcome before it ends the span.
		ObjectId serviceId = serviceIdOf(context.getConnectionId());
		return (serviceId != null) ? keyValues.and(SERVICE_ID_KEY, serviceId.toHexString()) : keyValues;
	}

	private @Nullable ObjectId serviceIdOf(@Nullable ConnectionId connectionId) {
		return (connectionId != null) ? this.topology.serviceIdOf(connectionId) : null;
	}

	@Override
	public @Nullable String getName() {
		return this.delegate.getName();
	}

	@Override
	public @Nullable String getContextualName(MongodbObservationContext context) {
		return this.delegate.getContextualName(context);
	}

}
