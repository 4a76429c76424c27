package io.mongolb.autoconfigure;

import java.time.Duration;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.mode.LoadBalancedModeResolver;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.mongodb.autoconfigure.MongoProperties;
import org.springframework.boot.mongodb.autoconfigure.StandardMongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration for MongoDB's load-balanced mode.
 * <p>
 * Conditions decide only what is known before any bean exists: the starter is off
 * entirely with {@code mongodb.load-balanced.enabled=false} (any spelling Spring Boot's
 * binder reads as false), and needs the driver and Spring Boot's
 * {@link MongoConnectionDetails}. Whether load-balanced mode applies depends on the
 * effective connection string, which exists only once that bean does (the embedded
 * server, {@code @ServiceConnection}, a DNS TXT record and user-defined details all come
 * to it at run time), so it is decided in a bean, never by a condition, and Spring AOT
 * does not freeze it. The beans that exist for that reason, whatever the decision, are
 * these three:
 * <ul>
 * <li>{@link LoadBalancedMode}: the decision itself, with its reason (it enforces the
 * load-balanced rules before any client exists);</li>
 * <li>{@link LoadBalancedMongoClientSettingsBuilderCustomizer}: Spring Boot applies
 * customizers when it builds the client; this one applies load-balanced mode and
 * registers the topology's listeners only when the decision is active, and leaves the
 * client untouched otherwise;</li>
 * <li>{@link LoadBalancedTopology}: the model that readers (health, meters, endpoint,
 * applications) inject; it hears nothing unless the customizer registered its
 * listeners.</li>
 * </ul>
 * Each client (Spring Boot's synchronous {@code mongo}, its reactive
 * {@code reactiveStreamsMongoClient}, or one an application builds through the
 * customizers) is decided from its own builder's settings and, when load-balanced, gets a
 * topology model of its own; {@link LoadBalancedClients} lists them by bean name, and the
 * {@code LoadBalancedTopology} bean is the model of the first of them. Either driver will
 * do: the synchronous driver is not needed by a reactive application.
 * <p>
 * A fourth, the {@link LoadBalancedScheduler}, exists too; it schedules work (the expiry
 * of idle services, the scan for pinned-connection leaks) and runs a thread only when the
 * decision is active. Everything users can see (the health contributor, listeners on the
 * client) exists only when the decision is active. When the application defines its own
 * {@code MongoClientSettings} bean (Spring Boot then ignores {@code spring.mongodb.*}),
 * the decision is taken from those settings instead.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = MongoAutoConfiguration.class,
		afterName = "org.springframework.boot.mongodb.autoconfigure.MongoReactiveAutoConfiguration")
@ConditionalOnClass({ ConnectionString.class, MongoConnectionDetails.class })
@ConditionalOnBooleanSetting(name = "mongodb.load-balanced.enabled", matchIfMissing = true)
@ConditionalOnBean(MongoConnectionDetails.class)
@EnableConfigurationProperties(LoadBalancedProperties.class)
public final class LoadBalancedMongoAutoConfiguration {

	/** The name of the scheduled task that expires idle services. */
	static final String EXPIRE_IDLE_SERVICES = "expire idle services";

	/** The name of the scheduled task that reports pinned-connection leaks. */
	static final String SCAN_FOR_LEAKS = "scan for pinned-connection leaks";

	private static final Log logger = LogFactory.getLog(LoadBalancedMongoAutoConfiguration.class);

	LoadBalancedMongoAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean
	LoadBalancedMode loadBalancedMode(LoadBalancedProperties properties, Environment environment,
			ListableBeanFactory beanFactory, MongoConnectionDetails connectionDetails,
			ObjectProvider<MongoProperties> mongoProperties,
			ObjectProvider<StandardMongoClientSettingsBuilderCustomizer> standardCustomizer,
			ObjectProvider<MongoClientSettings> settings) {
		LoadBalancedModeResolver resolver = new LoadBalancedModeResolver(properties.requirement(),
				properties.isFailFast(), environment, beanFactory);
		MongoClientSettings userSettings = settings.getIfUnique();
		// Spring Boot applies neither spring.mongodb.* nor the connection details to an
		// application's own MongoClientSettings: the client starts from those settings,
		// so decide from them.
		boolean fromUserSettings = standardCustomizer.getIfAvailable() == null && userSettings != null;
		LoadBalancedMode mode = fromUserSettings ? resolver.resolve(userSettings)
				: resolver.resolve(connectionDetails, mongoProperties.getIfAvailable());
		if (mode.active() && logger.isInfoEnabled()) {
			logger.info("MongoDB load-balanced mode is active: LoadBalancer " + mode.loadBalancerAddress()
					+ " (connection string from " + mode.source() + "), requested by " + mode.requestedBy());
		}
		return mode;
	}

	@Bean
	@ConditionalOnMissingBean
	LoadBalancedTopology loadBalancedTopology(LoadBalancedProperties properties) {
		return newTopology(properties);
	}

	private static LoadBalancedTopology newTopology(LoadBalancedProperties properties) {
		return new LoadBalancedTopology(properties.getMetrics().getMaxServices(),
				properties.getPinning().getLeakThreshold(), properties.getEvents().getCapacity(),
				new LoadBalancedTopology.Hints(
						"raise mongodb.load-balanced.metrics.max-services above the number of mongos"));
	}

	@Bean
	@ConditionalOnMissingBean
	LoadBalancedClients loadBalancedClients(LoadBalancedTopology topology, LoadBalancedProperties properties) {
		return new LoadBalancedClients(topology, () -> newTopology(properties));
	}

	// Static: a post-processor; it names each MongoClient bean, sync or reactive.
	@Bean
	static LoadBalancedClientNames loadBalancedClientNames() {
		return new LoadBalancedClientNames();
	}

	@Bean
	@ConditionalOnMissingBean
	LoadBalancedScheduler loadBalancedScheduler(LoadBalancedMode mode, LoadBalancedClients clients,
			LoadBalancedProperties properties) {
		LoadBalancedScheduler scheduler = new LoadBalancedScheduler();
		if (mode.active()) {
			// Every client's model: the primary one, and each further client's own.
			Duration expireAfter = properties.getMetrics().getExpireAfter();
			scheduler.schedule(EXPIRE_IDLE_SERVICES, expiryPeriod(expireAfter), () -> {
				int expired = 0;
				for (LoadBalancedTopology topology : clients.allTopologies()) {
					expired += topology.expireIdleServices(expireAfter);
				}
				if (expired > 0 && logger.isDebugEnabled()) {
					logger.debug("Stopped tracking " + expired + " service(s) idle for " + expireAfter);
				}
			});
			Duration leakThreshold = properties.getPinning().getLeakThreshold();
			scheduler.schedule(SCAN_FOR_LEAKS, leakScanPeriod(leakThreshold), () -> {
				for (LoadBalancedTopology topology : clients.allTopologies()) {
					topology.scanForPinnedConnectionLeaks();
				}
			});
		}
		return scheduler;
	}

	// A service expires at most a quarter of its expiry time late, and at most a minute.
	static Duration expiryPeriod(Duration expireAfter) {
		return Duration.ofMillis(Math.max(1000, Math.min(expireAfter.toMillis() / 4, 60_000)));
	}

	// A leak is reported at most half its threshold late, and at most 5s; no scan runs
	// more often than every 50ms.
	static Duration leakScanPeriod(Duration leakThreshold) {
		return Duration.ofMillis(Math.max(50, Math.min(leakThreshold.toMillis() / 2, 5_000)));
	}

	@Bean
	@ConditionalOnMissingBean
	LoadBalancedMongoClientSettingsBuilderCustomizer loadBalancedMongoClientSettingsBuilderCustomizer(
			LoadBalancedMode mode, LoadBalancedClients clients, LoadBalancedProperties properties) {
		return new LoadBalancedMongoClientSettingsBuilderCustomizer(mode, clients,
				properties.getBalancer().getIdleTimeout());
	}

}
