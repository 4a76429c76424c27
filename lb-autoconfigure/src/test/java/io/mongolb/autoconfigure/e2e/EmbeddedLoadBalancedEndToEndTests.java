package io.mongolb.autoconfigure.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.health.LoadBalancerHealthContributorAutoConfiguration;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.LoadBalancedTopologySnapshot;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.json.JsonWriter;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.health.MongoHealthContributorAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.metrics.MongoMetricsAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter end to end: a Spring context with Spring Boot's MongoDB auto-configuration
 * and the starter, its client talking through the embedded in-process balancer (PROXY v2)
 * to two mongos-like fronts over one store.
 */
class EmbeddedLoadBalancedEndToEndTests {

	private EmbeddedLoadBalancedMongo mongo;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
				LoadBalancerHealthContributorAutoConfiguration.class, MongoHealthContributorAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
				MongoMetricsAutoConfiguration.class))
		.withBean(MeterRegistry.class, SimpleMeterRegistry::new);

	@BeforeEach
	void start() {
		this.mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start();
	}

	@AfterEach
	void stop() {
		this.mongo.close();
	}

	@Test
	void everyServiceBehindTheBalancerIsSeenAndHealthIsUp() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString()).run((context) -> {
			assertThat(context).hasNotFailed();
			MongoClient client = context.getBean(MongoClient.class);
			MongoCollection<Document> orders = client.getDatabase("e2e").getCollection("orders");
			orders.drop();
			for (int i = 0; i < 20; i++) {
				orders.insertOne(new Document("_id", i).append("item", "book-" + i));
			}
			// Two cursors open at once pin two connections: the balancer sends them to
			// different fronts.
			TwoFronts.openCursorsUntilBothServicesAreSeen(context.getBean(LoadBalancedTopology.class), orders);
			LoadBalancedTopologySnapshot snapshot = context.getBean(LoadBalancedTopology.class).snapshot();
			assertThat(snapshot.topologyTypeName()).isEqualTo("LoadBalanced");
			assertThat(snapshot.serverTypeName()).isEqualTo("LoadBalancer");
			assertThat(snapshot.services()).extracting(ServiceSnapshot::serviceId)
				.containsExactlyInAnyOrderElementsOf(this.mongo.getServiceIds());
			assertThat(snapshot.services()).allSatisfy((service) -> {
				assertThat(service.commandsSucceeded()).isPositive();
				assertThat(service.openConnections()).isPositive();
			});

			Health health = indicator(context).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("topologyType", "LoadBalanced")
				.containsEntry("serverType", "LoadBalancer")
				.containsEntry("loadBalancer", "127.0.0.1:" + this.mongo.getBalancerPort())
				.containsEntry("servicesSeen", 2);
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> services = (List<Map<String, Object>>) health.getDetails().get("services");
			assertThat(services).extracting((service) -> service.get("serviceId"))
				.containsExactlyInAnyOrderElementsOf(
						this.mongo.getServiceIds().stream().map(ObjectId::toHexString).toList());
			System.out.println("mongodbLoadBalancer health: " + json(health));
			// Spring Boot's own contributor and Micrometer's MongoDB meters keep working
			// through the balancer.
			assertThat(((HealthIndicator) registry(context).getContributor("mongo")).health().getStatus())
				.isEqualTo(Status.UP);
			MeterRegistry meters = context.getBean(MeterRegistry.class);
			assertThat(meters.get("mongodb.driver.commands")
				.tag("command", "insert")
				.tag("status", "SUCCESS")
				.timer()
				.count()).isEqualTo(20);
			assertThat(meters.get("mongodb.driver.pool.size").gauge().value()).isPositive();
		});
	}

	@Test
	void aClosedConnectionOnOneFrontClearsThePoolForThatServiceOnly() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString()).run((context) -> {
			MongoClient client = context.getBean(MongoClient.class);
			MongoCollection<Document> items = client.getDatabase("e2e").getCollection("items");
			items.drop();
			items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
			TwoFronts.openCursorsUntilBothServicesAreSeen(context.getBean(LoadBalancedTopology.class), items);
			ObjectId failing = this.mongo.getServiceId(0);
			ObjectId healthy = this.mongo.getServiceId(1);
			try (MongoClient admin = MongoClients.create(this.mongo.getFrontConnectionString(0))) {
				admin.getDatabase("admin")
					.runCommand(new Document("configureFailPoint", "failCommand")
						.append("mode", new Document("times", 1))
						.append("data", new Document("failCommands", List.of("find")).append("closeConnection", true)));
			}
			LoadBalancedTopology topology = context.getBean(LoadBalancedTopology.class);
			// Pooled connections are reused, and round robin only places new ones: hold
			// cursors open so that each find needs a new connection, until one reaches
			// the failing front and the driver clears its pool.
			List<MongoCursor<Document>> cursors = new ArrayList<>();
			try {
				for (int i = 0; i < 10 && service(topology.snapshot(), failing).poolClears() == 0; i++) {
					try {
						MongoCursor<Document> cursor = items.find().batchSize(1).iterator();
						cursors.add(cursor);
					}
					catch (MongoException ex) {
						// The expected network error on the failing front.
					}
				}
			}
			finally {
				cursors.forEach(MongoCursor::close);
			}
			LoadBalancedTopologySnapshot snapshot = topology.snapshot();
			assertThat(service(snapshot, failing).poolClears()).isOne();
			assertThat(service(snapshot, failing).commandsFailed()).isPositive();
			assertThat(service(snapshot, healthy).poolClears()).isZero();
			Health health = indicator(context).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("lastPoolClear", Map.of("serviceId", failing.toHexString(),
					"time", String.valueOf(service(snapshot, failing).lastPoolClear())));
		});
	}

	@Test
	void aCursorLeftOpenShowsAsAConnectionPastTheLeakThreshold() {
		this.runner
			.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString(),
					"mongodb.load-balanced.pinning.leak-threshold=100ms")
			.run((context) -> {
				MongoCollection<Document> items = context.getBean(MongoClient.class)
					.getDatabase("e2e")
					.getCollection("leaky");
				items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
				// In load-balanced mode an open cursor pins its connection until it is
				// drained or closed.
				try (MongoCursor<Document> cursor = items.find().batchSize(1).iterator()) {
					cursor.next();
					LoadBalancedTopology topology = context.getBean(LoadBalancedTopology.class);
					await().atMost(Duration.ofSeconds(10))
						.until(() -> topology.snapshot()
							.services()
							.stream()
							.mapToInt(ServiceSnapshot::connectionsPastLeakThreshold)
							.sum() == 1);
					@SuppressWarnings("unchecked")
					List<Map<String, Object>> services = (List<Map<String, Object>>) indicator(context).health()
						.getDetails()
						.get("services");
					assertThat(services).filteredOn((service) -> service.containsKey("connectionsPastLeakThreshold"))
						.singleElement()
						.satisfies((service) -> assertThat(service).containsEntry("connectionsPastLeakThreshold", 1));
				}
				LoadBalancedTopology topology = context.getBean(LoadBalancedTopology.class);
				assertThat(topology.snapshot().services()).allSatisfy((service) -> {
					assertThat(service.connectionsInUse()).isZero();
					assertThat(service.connectionsPastLeakThreshold()).isZero();
				});
			});
	}

	@Test
	void healthIsDownWithTheFixWhenTheBalancerReachesAPortWithoutLoadBalancing() {
		// A load-balanced client pointed at a front's normal port gets no serviceId, as
		// from mongos's main port.
		String uri = "mongodb://127.0.0.1:" + this.mongo.getPort(0) + "/?loadBalanced=true";
		this.runner.withPropertyValues("spring.mongodb.uri=" + uri).run((context) -> {
			Health health = indicator(context).health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat((String) health.getDetails().get("cause")).contains("answered the handshake without a serviceId")
				.contains("loadBalancerPort")
				.contains("PROXY protocol header");
			assertThat((String) health.getDetails().get("error")).contains(
					"Driver attempted to initialize in load balancing mode, but the server does not support this mode");
			System.out.println("mongodbLoadBalancer health: " + json(health));
		});
	}

	private static ServiceSnapshot service(LoadBalancedTopologySnapshot snapshot, ObjectId serviceId) {
		return snapshot.services()
			.stream()
			.filter((service) -> service.serviceId().equals(serviceId))
			.findFirst()
			.orElseThrow(() -> new AssertionError("service " + serviceId + " not seen: " + snapshot.services()));
	}

	private static HealthContributorRegistry registry(AssertableApplicationContext context) {
		return context.getBean(HealthContributorRegistry.class);
	}

	private static HealthIndicator indicator(AssertableApplicationContext context) {
		return (HealthIndicator) registry(context).getContributor("mongodbLoadBalancer");
	}

	private static String json(Health health) {
		return JsonWriter.standard()
			.writeToString(Map.of("status", health.getStatus().getCode(), "details", health.getDetails()));
	}

}
