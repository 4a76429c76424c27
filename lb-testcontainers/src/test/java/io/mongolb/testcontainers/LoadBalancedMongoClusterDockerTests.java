package io.mongolb.testcontainers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.health.LoadBalancerHealthContributorAutoConfiguration;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.LoadBalancedTopologySnapshot;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole cluster in Docker (config-server and shard replica sets, two mongos with
 * {@code loadBalancerPort}, HAProxy) with the starter on {@code @ServiceConnection}.
 * <p>
 * Needs a Docker engine: without one the class is skipped ("disabledWithoutDocker is true
 * and Docker is not available"); this project's CI has none, so these tests have not run
 * there.
 */
@Testcontainers(disabledWithoutDocker = true)
@SpringBootTest(classes = LoadBalancedMongoClusterDockerTests.Application.class,
		webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = "mongodb.load-balanced.pinning.leak-threshold=500ms")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoadBalancedMongoClusterDockerTests {

	@Container
	@ServiceConnection
	static final LoadBalancedMongoCluster cluster = new LoadBalancedMongoCluster();

	@Autowired
	private MongoClient client;

	@Autowired
	private LoadBalancedTopology topology;

	@Autowired
	private HealthContributorRegistry healthContributors;

	@Test
	@Order(1)
	void everyPartIsUpAndEachMongosAnswersOnItsNormalPort() {
		assertThat(cluster.getConnectionString()).endsWith("/?loadBalanced=true");
		assertThat(cluster.getServiceIdsSeen()).hasSize(2).doesNotHaveDuplicates();
		assertThat(cluster.getMongosAddresses()).hasSize(2);
		for (String address : cluster.getMongosAddresses()) {
			try (MongoClient direct = MongoClients.create("mongodb://" + address + "/?directConnection=true")) {
				Document hello = direct.getDatabase("admin").runCommand(new Document("hello", 1));
				assertThat(hello.getString("msg")).isEqualTo("isdbgrid");
				Document shards = direct.getDatabase("admin").runCommand(new Document("listShards", 1));
				assertThat(shards.getList("shards", Document.class)).extracting((shard) -> shard.getString("_id"))
					.containsExactly("shard0");
			}
		}
	}

	@Test
	@Order(2)
	void crudThroughHaproxyReachesBothServiceIdsAndHealthIsUp() {
		MongoCollection<Document> orders = this.client.getDatabase("tc").getCollection("orders");
		orders.drop();
		for (int i = 0; i < 20; i++) {
			orders.insertOne(new Document("_id", i).append("item", "book-" + i));
		}
		orders.updateOne(new Document("_id", 3), new Document("$set", new Document("item", "pen")));
		assertThat(orders.find(new Document("_id", 3)).first()).containsEntry("item", "pen");
		orders.deleteOne(new Document("_id", 4));
		assertThat(orders.countDocuments()).isEqualTo(19);
		BothServices.openCursorsUntilBothAreSeen(this.topology, orders);
		assertThat(this.topology.snapshot().services()).extracting(ServiceSnapshot::serviceId)
			.containsExactlyInAnyOrderElementsOf(cluster.getServiceIdsSeen());
		Health health = health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("topologyType", "LoadBalanced")
			.containsEntry("serverType", "LoadBalancer")
			.containsEntry("servicesSeen", 2);
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> services = (List<Map<String, Object>>) health.getDetails().get("services");
		assertThat(services).extracting((service) -> service.get("serviceId"))
			.containsExactlyInAnyOrderElementsOf(
					cluster.getServiceIdsSeen().stream().map(ObjectId::toHexString).toList());
	}

	@Test
	@Order(3)
	void aCursorLeftOpenIsReportedAsALeak() {
		MongoCollection<Document> items = this.client.getDatabase("tc").getCollection("leaky");
		items.drop();
		items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
		try (MongoCursor<Document> cursor = items.find().batchSize(1).iterator()) {
			cursor.next();
			await().atMost(Duration.ofSeconds(20))
				.until(() -> this.topology.snapshot()
					.services()
					.stream()
					.mapToInt(ServiceSnapshot::connectionsPastLeakThreshold)
					.sum() == 1);
			@SuppressWarnings("unchecked")
			List<Map<String, Object>> services = (List<Map<String, Object>>) health().getDetails().get("services");
			assertThat(services).filteredOn((service) -> service.containsKey("connectionsPastLeakThreshold"))
				.singleElement()
				.satisfies((service) -> assertThat(service).containsEntry("connectionsPastLeakThreshold", 1));
		}
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThat(this.topology.snapshot().services())
				.allSatisfy((service) -> assertThat(service.connectionsPastLeakThreshold()).isZero()));
	}

	@Test
	@Order(4)
	void aMongosStoppedUnderLoadClearsOnlyItsServicesPoolAndComesBackWithANewServiceId() throws Exception {
		MongoCollection<Document> items = this.client.getDatabase("tc").getCollection("load");
		items.drop();
		items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
		BothServices.openCursorsUntilBothAreSeen(this.topology, items);
		Set<ObjectId> before = Set.copyOf(cluster.getServiceIdsSeen());
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicInteger succeeded = new AtomicInteger();
		ExecutorService load = Executors.newFixedThreadPool(4);
		try {
			for (int t = 0; t < 4; t++) {
				load.execute(() -> {
					// Bounded: stops when told, or after 100000 operations.
					for (int i = 0; i < 100_000 && running.get(); i++) {
						List<MongoCursor<Document>> cursors = new ArrayList<>();
						try {
							MongoCursor<Document> cursor = items.find().batchSize(1).iterator();
							cursors.add(cursor);
							cursor.next();
							succeeded.incrementAndGet();
						}
						catch (MongoException ex) {
							// Expected while the stopped mongos's connections fail.
						}
						finally {
							cursors.forEach(MongoCursor::close);
						}
					}
				});
			}
			await().atMost(Duration.ofSeconds(30)).until(() -> succeeded.get() > 50);
			cluster.stopMongos(0);
			await().atMost(Duration.ofSeconds(60))
				.until(() -> this.topology.snapshot().services().stream().anyMatch((s) -> s.poolClears() > 0));
			LoadBalancedTopologySnapshot snapshot = this.topology.snapshot();
			List<ServiceSnapshot> cleared = snapshot.services().stream().filter((s) -> s.poolClears() > 0).toList();
			assertThat(cleared).hasSize(1);
			ObjectId stopped = cleared.get(0).serviceId();
			ServiceSnapshot survivor = snapshot.services()
				.stream()
				.filter((s) -> before.contains(s.serviceId()) && !s.serviceId().equals(stopped))
				.findFirst()
				.orElseThrow();
			assertThat(survivor.poolClears()).isZero();
			long survivorCommands = survivor.commandsSucceeded();
			await().atMost(Duration.ofSeconds(30))
				.until(() -> service(this.topology.snapshot(), survivor.serviceId())
					.commandsSucceeded() > survivorCommands + 20);

			ObjectId restarted = cluster.restartMongos(0);
			assertThat(before).doesNotContain(restarted);
			await().atMost(Duration.ofSeconds(60))
				.until(() -> this.topology.snapshot()
					.services()
					.stream()
					.anyMatch((s) -> s.serviceId().equals(restarted) && s.commandsSucceeded() > 0));
			assertThat(service(this.topology.snapshot(), survivor.serviceId()).poolClears()).isZero();
		}
		finally {
			running.set(false);
			load.shutdown();
			assertThat(load.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
		}
	}

	private Health health() {
		return ((HealthIndicator) this.healthContributors.getContributor("mongodbLoadBalancer")).health();
	}

	private static ServiceSnapshot service(LoadBalancedTopologySnapshot snapshot, ObjectId serviceId) {
		return snapshot.services()
			.stream()
			.filter((service) -> service.serviceId().equals(serviceId))
			.findFirst()
			.orElseThrow(() -> new AssertionError("service " + serviceId + " not seen: " + snapshot.services()));
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
			LoadBalancerHealthContributorAutoConfiguration.class, HealthContributorAutoConfiguration.class,
			HealthContributorRegistryAutoConfiguration.class })
	static class Application {

	}

}
