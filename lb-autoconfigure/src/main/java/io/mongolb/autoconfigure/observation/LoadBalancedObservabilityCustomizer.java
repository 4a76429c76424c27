package io.mongolb.autoconfigure.observation;

import java.util.function.UnaryOperator;

import com.mongodb.MongoClientSettings;
import com.mongodb.observability.micrometer.MicrometerObservabilitySettings;
import io.micrometer.observation.ObservationRegistry;
import io.mongolb.autoconfigure.LoadBalancedMongoClientSettingsBuilderCustomizer;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.core.Ordered;

/**
 * Wires the MongoDB driver's own Micrometer observations to an
 * {@link ObservationRegistry}, with the {@link ServiceIdObservationConvention}, so that
 * every command observation carries the serviceId of the mongos that served it. Does
 * nothing when the {@link LoadBalancedMode} is not active.
 * <p>
 * <strong>Experimental</strong>: it uses
 * {@link MongoClientSettings.Builder#observabilitySettings}, which the driver marks as
 * alpha, so it may change with any driver release. It runs after the
 * {@link LoadBalancedMongoClientSettingsBuilderCustomizer} and before unordered
 * customizers, so an application customizer that sets observability settings of its own
 * replaces these.
 *
 * @since 0.1.0
 */
public class LoadBalancedObservabilityCustomizer implements MongoClientSettingsBuilderCustomizer, Ordered {

	/**
	 * The order of this customizer: after the load-balanced customizer, before unordered
	 * ones.
	 */
	public static final int ORDER = LoadBalancedMongoClientSettingsBuilderCustomizer.ORDER + 100;

	/**
	 * The environment variable that the driver reads: a value other than {@code true} (in
	 * any case) turns its observations off, whatever the settings say.
	 */
	static final String DRIVER_SWITCH = "OBSERVABILITY_MONGODB_ENABLED";

	private static final Log logger = LogFactory.getLog(LoadBalancedObservabilityCustomizer.class);

	private final LoadBalancedMode mode;

	private final LoadBalancedTopology topology;

	private final ObservationRegistry registry;

	private final UnaryOperator<@Nullable String> environment;

	/**
	 * Create a new customizer.
	 * @param mode the load-balanced decision
	 * @param topology the topology that maps connections to services
	 * @param registry the registry the driver's observations go to
	 */
	public LoadBalancedObservabilityCustomizer(LoadBalancedMode mode, LoadBalancedTopology topology,
			ObservationRegistry registry) {
		this(mode, topology, registry, System::getenv);
	}

	LoadBalancedObservabilityCustomizer(LoadBalancedMode mode, LoadBalancedTopology topology,
			ObservationRegistry registry, UnaryOperator<@Nullable String> environment) {
		this.mode = mode;
		this.topology = topology;
		this.registry = registry;
		this.environment = environment;
	}

	@Override
	public void customize(MongoClientSettings.Builder builder) {
		if (!this.mode.active()) {
			logger.info("MongoDB driver observations are not wired (mongodb.load-balanced.observations.enabled=true):"
					+ " load-balanced mode is not active. " + this.mode.reason());
			return;
		}
		builder.observabilitySettings(MicrometerObservabilitySettings.builder()
			.observationRegistry(this.registry)
			.observationConvention(new ServiceIdObservationConvention(this.topology))
			.build());
		String driverSwitch = this.environment.apply(DRIVER_SWITCH);
		if (driverSwitch != null && !Boolean.parseBoolean(driverSwitch)) {
			logger.warn("MongoDB driver observations are wired to the ObservationRegistry"
					+ " (mongodb.load-balanced.observations.enabled=true), but the environment variable "
					+ DRIVER_SWITCH + "=" + driverSwitch
					+ " turns them off in the driver: unset it or set it to true.");
			return;
		}
		logger.info("MongoDB driver observations wired to the ObservationRegistry"
				+ " (mongodb.load-balanced.observations.enabled=true; experimental, the driver's API is alpha):"
				+ " 'mongodb.operation' and 'mongodb.command', commands with the high-cardinality key '"
				+ ServiceIdObservationConvention.SERVICE_ID_KEY + "'.");
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
