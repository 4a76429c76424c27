package io.mongolb.autoconfigure.observation;

import com.mongodb.observability.micrometer.MicrometerObservabilitySettings;
import io.micrometer.observation.ObservationRegistry;
import io.mongolb.autoconfigure.ConditionalOnBooleanSetting;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the MongoDB driver's own Micrometer observations, with the
 * serviceId of the mongos that served each command: opt in with
 * {@code mongodb.load-balanced.observations.enabled=true}. <strong>Experimental</strong>,
 * as the driver's observability API is alpha.
 * <p>
 * With the property on, the MongoDB driver 5.7 or later, {@code micrometer-observation}
 * and one {@link ObservationRegistry} bean (Spring Boot's
 * {@code ObservationAutoConfiguration} creates it, with Actuator for example), a
 * {@link LoadBalancedObservabilityCustomizer} sets the driver's observability to that
 * registry when the {@link LoadBalancedMode} is active. Without a registry, a warning
 * says what is missing. With the property off (the default), nothing is added and the
 * driver's observations stay off.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = LoadBalancedMongoAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration")
@ConditionalOnBooleanSetting(name = LoadBalancedObservationAutoConfiguration.ENABLED_PROPERTY)
@ConditionalOnBean({ LoadBalancedMode.class, LoadBalancedTopology.class })
public final class LoadBalancedObservationAutoConfiguration {

	static final String ENABLED_PROPERTY = "mongodb.load-balanced.observations.enabled";

	private static final Log logger = LogFactory.getLog(LoadBalancedObservationAutoConfiguration.class);

	private LoadBalancedObservationAutoConfiguration() {
	}

	private static SmartInitializingSingleton notWired(String missing, String fix) {
		return () -> logger
			.warn("MongoDB driver observations are not wired (" + ENABLED_PROPERTY + "=true): " + missing + ". " + fix);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ ObservationRegistry.class, MicrometerObservabilitySettings.class })
	@ConditionalOnSingleCandidate(ObservationRegistry.class)
	static final class DriverObservationsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		LoadBalancedObservabilityCustomizer loadBalancedObservabilityCustomizer(LoadBalancedMode mode,
				LoadBalancedTopology topology, ObservationRegistry observationRegistry) {
			return new LoadBalancedObservabilityCustomizer(mode, topology, observationRegistry);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.observation.ObservationRegistry")
	@ConditionalOnMissingBean(type = "io.micrometer.observation.ObservationRegistry")
	static final class NoObservationRegistryConfiguration {

		@Bean
		static SmartInitializingSingleton mongodbObservationsWithoutRegistryWarning() {
			return notWired("there is no ObservationRegistry bean",
					"Add spring-boot-starter-actuator (Spring Boot's ObservationAutoConfiguration creates one)"
							+ " or define an ObservationRegistry bean.");
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnMissingClass("io.micrometer.observation.ObservationRegistry")
	static final class NoMicrometerObservationConfiguration {

		@Bean
		static SmartInitializingSingleton mongodbObservationsWithoutMicrometerWarning() {
			return notWired("io.micrometer:micrometer-observation is not on the class path",
					"Add spring-boot-starter-actuator, or io.micrometer:micrometer-observation with an"
							+ " ObservationRegistry bean.");
		}

	}

}
