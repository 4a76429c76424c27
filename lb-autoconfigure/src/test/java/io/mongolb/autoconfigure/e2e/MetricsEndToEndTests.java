package io.mongolb.autoconfigure.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.metrics.LoadBalancedMeterBinder;
import io.mongolb.autoconfigure.metrics.LoadBalancedMetricsAutoConfiguration;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.MutableClock;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.metrics.MongoMetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The per-service meters end to end: the real driver through the embedded in-process
 * balancer to mongos-like fronts, each with its own serviceId.
 */
class MetricsEndToEndTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
				LoadBalancedMetricsAutoConfiguration.class, MongoMetricsAutoConfiguration.class,
				MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class));

	@Test
	void commandsSpreadOverTwoFrontsShowTwoSeriesThatAddUpToTheCommandsSent() {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start()) {
			this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString()).run((context) -> {
				MongoCollection<Document> items = context.getBean(MongoClient.class)
					.getDatabase("metrics")
					.getCollection("items");
				for (int i = 0; i < 5; i++) {
					items.insertOne(new Document("_id", i));
				}
				// Round robin places new connections: cursors held open make the driver
				// open one per find, alternately on each front.
				List<MongoCursor<Document>> cursors = new ArrayList<>();
				for (int i = 0; i < 6; i++) {
					MongoCursor<Document> cursor = items.find().batchSize(1).iterator();
					cursor.next();
					cursors.add(cursor);
				}
				cursors.forEach(MongoCursor::close);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				Set<String> fronts = hex(mongo.getServiceIds());
				assertThat(serviceIds(registry, "mongodb.lb.commands")).isEqualTo(fronts);
				long perService = 0;
				for (String serviceId : fronts) {
					long count = registry.find("mongodb.lb.commands")
						.tag("service.id", serviceId)
						.timers()
						.stream()
						.mapToLong(Timer::count)
						.sum();
					assertThat(count).as(serviceId).isPositive();
					perService += count;
				}
				// Micrometer's own listener heard the same commands, all under the
				// balancer's one address.
				long driver = registry.find("mongodb.driver.commands").timers().stream().mapToLong(Timer::count).sum();
				assertThat(perService).isEqualTo(driver).isGreaterThanOrEqualTo(5 + 6 + 6);
			});
		}
	}

	@Test
	void aClosedConnectionOnOneFrontCountsAPoolClearForThatServiceOnly() {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start()) {
			this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString()).run((context) -> {
				MongoCollection<Document> items = context.getBean(MongoClient.class)
					.getDatabase("metrics")
					.getCollection("items");
				items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2)));
				try (MongoClient admin = MongoClients.create(mongo.getFrontConnectionString(0))) {
					admin.getDatabase("admin")
						.runCommand(new Document("configureFailPoint", "failCommand")
							.append("mode", new Document("times", 1))
							.append("data",
									new Document("failCommands", List.of("find")).append("closeConnection", true)));
				}
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				String failing = mongo.getServiceId(0).toHexString();
				String healthy = mongo.getServiceId(1).toHexString();
				List<MongoCursor<Document>> cursors = new ArrayList<>();
				try {
					for (int i = 0; i < 10 && poolClears(registry, failing) == 0; i++) {
						try {
							cursors.add(items.find().batchSize(1).iterator());
						}
						catch (MongoException ex) {
							// The expected network error on the failing front.
						}
					}
				}
				finally {
					cursors.forEach(MongoCursor::close);
				}
				assertThat(poolClears(registry, failing)).isOne();
				assertThat(poolClears(registry, healthy)).isZero();
				assertThat(registry.get("mongodb.lb.commands")
					.tag("service.id", failing)
					.tag("status", "failure")
					.timer()
					.count()).isPositive();
			});
		}
	}

	@Test
	void aFrontRestarted200TimesUnderABoundOf4NeverLeavesMoreThan4SeriesAndExpiryRemovesTheIdleOnes() {
		MutableClock clock = new MutableClock();
		LoadBalancedTopology topology = new LoadBalancedTopology(4, Duration.ofSeconds(30), 64, clock, (event) -> {
		});
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		int baseline = registry.getMeters().size();
		new LoadBalancedMeterBinder(topology).bindTo(registry);
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(1).start()) {
			// One pooled connection: after a restart the one dead connection fails, is
			// closed, and the retry opens a connection to the new mongos.
			MongoClientSettings settings = MongoClientSettings.builder()
				.applyConnectionString(new ConnectionString(mongo.getConnectionString()))
				.applyToConnectionPoolSettings(
						(pool) -> pool.maxSize(1).addConnectionPoolListener(topology.connectionPoolListener()))
				.applyToClusterSettings((cluster) -> cluster.addClusterListener(topology.clusterListener()))
				.applyToServerSettings((server) -> server.addServerListener(topology.serverListener()))
				.addCommandListener(topology.commandListener())
				.build();
			try (MongoClient client = MongoClients.create(settings)) {
				MongoCollection<Document> items = client.getDatabase("churn").getCollection("items");
				items.insertOne(new Document("_id", 1));
				int mostSeries = 0;
				Set<String> seen = new java.util.HashSet<>();
				for (int restart = 0; restart < 200; restart++) {
					mongo.stopFront(0);
					// Between stop and start another socket on this machine may take the
					// released port as its ephemeral source port for a moment: retry the
					// bind until it is free again (bounded).
					await().atMost(Duration.ofSeconds(10))
						.ignoreExceptionsInstanceOf(IllegalStateException.class)
						.until(() -> {
							mongo.startFront(0);
							return true;
						});
					clock.advance(Duration.ofSeconds(2));
					// A retryable read: the first attempt fails on the dead connection.
					assertThat(items.find().first()).isNotNull();
					seen.add(mongo.getServiceId(0).toHexString());
					Set<String> series = serviceIds(registry, "mongodb.lb.commands");
					assertThat(series).as("restart %d", restart).hasSizeLessThanOrEqualTo(4);
					assertThat(serviceIds(registry, "mongodb.lb.connections")).hasSizeLessThanOrEqualTo(4);
					assertThat(serviceIds(registry, "mongodb.lb.pool.clears")).hasSizeLessThanOrEqualTo(4);
					assertThat(series).contains(mongo.getServiceId(0).toHexString());
					mostSeries = Math.max(mostSeries, series.size());
				}
				assertThat(seen).hasSize(200);
				assertThat(mostSeries).isEqualTo(4);
				assertThat(topology.evictedServiceCount()).isGreaterThanOrEqualTo(200 - 4);
				assertThat(evicted(registry)).isEqualTo(topology.evictedServiceCount());
				// Idle services with no connection expire; the live one keeps its
				// connection and stays, however idle.
				clock.advance(Duration.ofHours(2));
				assertThat(topology.expireIdleServices(Duration.ofHours(1))).isEqualTo(3);
				assertThat(serviceIds(registry, "mongodb.lb.commands"))
					.containsExactly(mongo.getServiceId(0).toHexString());
				assertThat(topology.snapshot().services()).hasSize(1);
			}
			await().untilAsserted(() -> assertThat(registry.getMeters()).hasSize(baseline));
		}
	}

	private static long poolClears(MeterRegistry registry, String serviceId) {
		FunctionCounter counter = registry.find("mongodb.lb.pool.clears")
			.tag("service.id", serviceId)
			.functionCounter();
		return (counter != null) ? (long) counter.count() : 0;
	}

	private static double evicted(MeterRegistry registry) {
		return registry.get("mongodb.lb.services.evicted").functionCounter().count();
	}

	private static Set<String> serviceIds(MeterRegistry registry, String name) {
		return registry.find(name)
			.meters()
			.stream()
			.map((meter) -> meter.getId().getTag("service.id"))
			.collect(Collectors.toSet());
	}

	private static Set<String> hex(List<ObjectId> ids) {
		return ids.stream().map(ObjectId::toHexString).collect(Collectors.toSet());
	}

}
