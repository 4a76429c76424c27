package io.mongolb.autoconfigure.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import com.mongodb.client.MongoClient;
import com.mongodb.event.CommandEvent;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.mongodb.DefaultMongoCommandTagsProvider;
import io.micrometer.core.instrument.binder.mongodb.MongoCommandTagsProvider;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.LoadBalancedScheduler;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.metrics.MongoMetricsAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The metrics auto-configuration in real Spring contexts with Spring Boot's Micrometer
 * and MongoDB auto-configuration, the client talking to the embedded load-balanced
 * fronts.
 */
class LoadBalancedMetricsAutoConfigurationTests {

	private static EmbeddedLoadBalancedMongo mongo;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
				LoadBalancedMetricsAutoConfiguration.class, MongoMetricsAutoConfiguration.class,
				MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class));

	@BeforeAll
	static void start() {
		mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start();
	}

	@AfterAll
	static void stop() {
		mongo.close();
	}

	@Test
	void metersCarryTheClusterIdOfTheDriversOwnMetersAndTheServiceIdOfAFront() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString()).run((context) -> {
			assertThat(context).hasSingleBean(LoadBalancedMeterBinder.class);
			ping(context);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			await().untilAsserted(() -> assertThat(registry.find("mongodb.lb.services").gauges()).hasSize(2));
			Set<String> serviceIds = tagValues(registry, "mongodb.lb.commands", "service.id");
			assertThat(serviceIds).hasSize(1)
				.isSubsetOf(mongo.getServiceIds().stream().map(ObjectId::toHexString).toList());
			assertThat(tagValues(registry, "mongodb.lb.commands", "status")).containsExactlyInAnyOrder("success",
					"failure");
			assertThat(tagValues(registry, "mongodb.lb.connections", "state")).containsExactlyInAnyOrder("open",
					"checked-out", "past-leak-threshold");
			assertThat(tagValues(registry, "mongodb.lb.commands", "cluster.id"))
				.isEqualTo(tagValues(registry, "mongodb.driver.commands", "cluster.id"))
				.hasSize(1);
			assertThat(registry.find("mongodb.lb.pool.clears").functionCounters()).hasSize(1);
			assertThat(registry.find("mongodb.lb.services.evicted").functionCounters()).hasSize(1);
			assertThat(registry.find("mongodb.lb.commands.untracked").functionCounters()).hasSize(1);
			// Without the opt-in, Micrometer's own meters are left as they are.
			assertThat(registry.get("mongodb.driver.commands").timer().getId().getTag("service.id")).isNull();
		});
	}

	@Test
	void theMetersLeaveTheRegistryWhenTheClientCloses() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString()).run((context) -> {
			ping(context);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			await().untilAsserted(() -> assertThat(registry.find("mongodb.lb.services").gauges()).hasSize(2));
			context.getBean(MongoClient.class).close();
			await().untilAsserted(() -> assertThat(registry.getMeters())
				.noneMatch((meter) -> meter.getId().getName().startsWith("mongodb.lb.")));
		});
	}

	@Test
	void noMetersWhenTheModeIsNotActive() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getFrontConnectionString(0)).run((context) -> {
			assertThat(context).hasNotFailed();
			ping(context);
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			// Micrometer's own command meter shows the command was measured at all.
			await().untilAsserted(() -> assertThat(registry.find("mongodb.driver.commands").timers()).isNotEmpty());
			assertThat(registry.getMeters()).noneMatch((meter) -> meter.getId().getName().startsWith("mongodb.lb."));
			assertThat(context.getBean(LoadBalancedScheduler.class).hasTask("expire idle services")).isFalse();
		});
	}

	@Test
	void noMetersWithoutAMeterRegistry() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class,
					LoadBalancedMongoAutoConfiguration.class, LoadBalancedMetricsAutoConfiguration.class))
			.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString())
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(LoadBalancedMeterBinder.class)
				.doesNotHaveBean(MeterRegistry.class));
	}

	@Test
	void metricsEnabledFalseSwitchesTheMetersOff() {
		this.runner
			.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString(),
					"mongodb.load-balanced.metrics.enabled=off")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(LoadBalancedMeterBinder.class);
				ping(context);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				await().untilAsserted(() -> assertThat(registry.find("mongodb.driver.commands").timers()).isNotEmpty());
				assertThat(registry.getMeters())
					.noneMatch((meter) -> meter.getId().getName().startsWith("mongodb.lb."));
			});
	}

	@Test
	void theDriverCommandsServiceTagIsAddedWhenAskedFor() {
		this.runner
			.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString(),
					"mongodb.load-balanced.metrics.driver-commands-service-tag=true")
			.run((context) -> {
				assertThat(context.getBean(MongoCommandTagsProvider.class))
					.isInstanceOf(ServiceIdCommandTagsProvider.class);
				assertThat(
						((ServiceIdCommandTagsProvider) context.getBean(MongoCommandTagsProvider.class)).getDelegate())
					.isInstanceOf(DefaultMongoCommandTagsProvider.class);
				ping(context);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				await().untilAsserted(
						() -> assertThat(tagValues(registry, "mongodb.driver.commands", "service.id")).hasSize(1)
							.isSubsetOf(mongo.getServiceIds().stream().map(ObjectId::toHexString).toList()));
				// Micrometer's own tags are kept.
				assertThat(tagValues(registry, "mongodb.driver.commands", "command")).contains("ping");
			});
	}

	@Test
	void theApplicationsOwnCommandTagsProviderIsWrappedNotReplaced() {
		this.runner
			.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString(),
					"mongodb.load-balanced.metrics.driver-commands-service-tag=true")
			.withBean(MongoCommandTagsProvider.class, () -> new TeamTagsProvider())
			.run((context) -> {
				assertThat(context).hasSingleBean(MongoCommandTagsProvider.class);
				ping(context);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				await().untilAsserted(() -> assertThat(registry.find("mongodb.driver.commands").timers()).isNotEmpty());
				assertThat(tagValues(registry, "mongodb.driver.commands", "team")).containsExactly("orders");
				assertThat(tagValues(registry, "mongodb.driver.commands", "service.id")).hasSize(1)
					.isSubsetOf(mongo.getServiceIds().stream().map(ObjectId::toHexString).toList());
			});
	}

	@Test
	void theSchedulerRunsWithTheContextWhenTheModeIsActive() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString()).run((context) -> {
			LoadBalancedScheduler scheduler = context.getBean(LoadBalancedScheduler.class);
			assertThat(scheduler.hasTask("expire idle services")).isTrue();
			assertThat(scheduler.hasTask("scan for pinned-connection leaks")).isTrue();
			assertThat(scheduler.isRunning()).isTrue();
			AtomicReference<Thread> worker = new AtomicReference<>();
			scheduler.schedule("probe", Duration.ofMillis(10), () -> worker.set(Thread.currentThread()));
			await().untilAsserted(() -> assertThat(worker.get()).isNotNull());
			assertThat(worker.get().getName()).isEqualTo(LoadBalancedScheduler.THREAD_NAME);
			assertThat(worker.get().isDaemon()).isTrue();
			context.close();
			assertThat(scheduler.isRunning()).isFalse();
			// stop() waits for the executor to terminate; the thread itself ends just
			// after.
			worker.get().join(Duration.ofSeconds(5).toMillis());
			assertThat(worker.get().isAlive()).isFalse();
		});
	}

	private static void ping(AssertableApplicationContext context) {
		context.getBean(MongoClient.class).getDatabase("admin").runCommand(new Document("ping", 1));
	}

	private static Set<String> tagValues(MeterRegistry registry, String name, String tag) {
		return registry.find(name)
			.meters()
			.stream()
			.map((meter) -> meter.getId().getTag(tag))
			.filter((value) -> value != null)
			.collect(Collectors.toSet());
	}

	/**
	 * An application's own provider: Micrometer's tags plus a team name.
	 */
	static final class TeamTagsProvider implements MongoCommandTagsProvider {

		private final DefaultMongoCommandTagsProvider defaults = new DefaultMongoCommandTagsProvider();

		@Override
		public void commandStarted(com.mongodb.event.CommandStartedEvent event) {
			this.defaults.commandStarted(event);
		}

		@Override
		public Iterable<Tag> commandTags(CommandEvent event) {
			return Tags.of(this.defaults.commandTags(event)).and(List.of(Tag.of("team", "orders")));
		}

	}

}
