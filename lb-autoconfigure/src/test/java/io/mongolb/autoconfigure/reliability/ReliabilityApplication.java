package io.mongolb.autoconfigure.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.MongoClientSettings;
import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.ConnectionPoolClearedEvent;
import com.mongodb.event.ConnectionPoolCreatedEvent;
import com.mongodb.event.ConnectionPoolListener;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.health.LoadBalancerHealthContributorAutoConfiguration;
import org.bson.types.ObjectId;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The application the fault scenarios run: Spring Boot's MongoDB auto-configuration, the
 * starter and its health contributor, started with {@code SpringApplication} as an
 * application is, plus a customizer that counts what the driver reports (failed commands,
 * pool clears per serviceId).
 */
@Configuration(proxyBeanMethods = false)
@ImportAutoConfiguration({ MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
		LoadBalancerHealthContributorAutoConfiguration.class, HealthContributorAutoConfiguration.class,
		HealthContributorRegistryAutoConfiguration.class })
class ReliabilityApplication {

	@Bean
	DriverEvents driverEvents() {
		return new DriverEvents();
	}

	/**
	 * Starts the application against a connection string.
	 * @param uri {@code spring.mongodb.uri}
	 * @param properties further {@code key=value} properties
	 * @return the running context
	 */
	static ConfigurableApplicationContext start(String uri, String... properties) {
		List<String> all = new ArrayList<>();
		all.add("spring.mongodb.uri=" + uri);
		all.add("spring.mongodb.database=reliability");
		all.add("spring.main.banner-mode=off");
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(ReliabilityApplication.class).web(WebApplicationType.NONE)
			.properties(all.toArray(String[]::new))
			.run();
	}

	/**
	 * The starter's {@code mongodbLoadBalancer} health indicator.
	 * @param context the application
	 * @return the indicator
	 */
	static HealthIndicator health(ConfigurableApplicationContext context) {
		return (HealthIndicator) context.getBean(HealthContributorRegistry.class).getContributor("mongodbLoadBalancer");
	}

	/**
	 * The time since a {@link System#nanoTime()}.
	 * @param startNanos the start
	 * @return the time elapsed
	 */
	static Duration since(long startNanos) {
		return Duration.ofNanos(System.nanoTime() - startNanos);
	}

	/**
	 * Driver-level counts: every {@code CommandFailedEvent} and every pool clear, by
	 * serviceId.
	 */
	static final class DriverEvents implements MongoClientSettingsBuilderCustomizer {

		final AtomicInteger failedCommands = new AtomicInteger();

		final List<String> failures = new CopyOnWriteArrayList<>();

		final Map<String, AtomicInteger> poolClears = new ConcurrentHashMap<>();

		final List<Long> idleTimes = new CopyOnWriteArrayList<>();

		@Override
		public void customize(MongoClientSettings.Builder builder) {
			builder.addCommandListener(new CommandListener() {
				@Override
				public void commandFailed(CommandFailedEvent event) {
					DriverEvents.this.failedCommands.incrementAndGet();
					DriverEvents.this.failures
						.add(event.getCommandName() + ": " + event.getThrowable().getClass().getSimpleName() + ": "
								+ event.getThrowable().getMessage());
				}
			});
			builder
				.applyToConnectionPoolSettings((pool) -> pool.addConnectionPoolListener(new ConnectionPoolListener() {
					@Override
					public void connectionPoolCleared(ConnectionPoolClearedEvent event) {
						ObjectId serviceId = event.getServiceId();
						DriverEvents.this.poolClears
							.computeIfAbsent(String.valueOf(serviceId), (key) -> new AtomicInteger())
							.incrementAndGet();
					}

					@Override
					public void connectionPoolCreated(ConnectionPoolCreatedEvent event) {
						DriverEvents.this.idleTimes
							.add(event.getSettings().getMaxConnectionIdleTime(TimeUnit.MILLISECONDS));
					}
				}));
		}

		int poolClearCount() {
			return this.poolClears.values().stream().mapToInt(AtomicInteger::get).sum();
		}

	}

}
