package io.mongolb.testcontainers;

import java.util.List;
import java.util.Map;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.health.LoadBalancerHealthContributorAutoConfiguration;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.testcontainers.service.connection.ServiceConnection;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code @ServiceConnection} on a {@link LoadBalancedMongoCluster} with a connection name
 * of the user's, through Spring Boot's real machinery (its field check, this module's
 * factory from {@code spring.factories}), and the starter on the connection details it
 * gives. Docker is not needed: the cluster's balancer port is the embedded load-balanced
 * server's (see {@link EmbeddedBackedCluster}); with Docker,
 * {@code LoadBalancedMongoClusterDockerTests} runs the same against the real cluster.
 */
@SpringBootTest(classes = ServiceConnectionTests.Application.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
class ServiceConnectionTests {

	static final EmbeddedLoadBalancedMongo embedded = EmbeddedLoadBalancedMongo.builder().fronts(2).start();

	@ServiceConnection(name = "orders-cluster")
	static final EmbeddedBackedCluster cluster = new EmbeddedBackedCluster(embedded);

	@Autowired
	private MongoConnectionDetails connectionDetails;

	@Autowired
	private LoadBalancedMode mode;

	@Autowired
	private MongoClient client;

	@Autowired
	private LoadBalancedTopology topology;

	@Autowired
	private HealthContributorRegistry healthContributors;

	@AfterAll
	static void stopEmbedded() {
		embedded.close();
	}

	@Test
	void theConnectionDetailsAreTheBalancersLoadBalancedConnectionString() {
		assertThat(this.connectionDetails).isInstanceOf(
				LoadBalancedMongoClusterConnectionDetailsFactory.LoadBalancedMongoClusterConnectionDetails.class);
		assertThat(this.connectionDetails.getConnectionString().getConnectionString())
			.isEqualTo("mongodb://127.0.0.1:" + embedded.getBalancerPort() + "/?loadBalanced=true")
			.isEqualTo(cluster.getConnectionString())
			.endsWith("?loadBalanced=true");
		assertThat(this.connectionDetails.getConnectionString().isLoadBalanced()).isTrue();
		assertThat(this.connectionDetails.getSslBundle()).isNull();
		// Spring Boot starts the cluster when the connection details are first used.
		assertThat(cluster.starts()).isPositive();
		assertThat(this.mode.active()).isTrue();
		assertThat(this.mode.loadBalancerAddress()).isEqualTo("127.0.0.1:" + embedded.getBalancerPort());
	}

	@Test
	void theStarterWorksThroughItCrudBothServiceIdsAndHealthUp() {
		MongoCollection<Document> orders = this.client.getDatabase("tc").getCollection("orders");
		orders.drop();
		for (int i = 0; i < 10; i++) {
			orders.insertOne(new Document("_id", i).append("item", "book-" + i));
		}
		assertThat(orders.countDocuments()).isEqualTo(10);
		orders.updateOne(new Document("_id", 3), new Document("$set", new Document("item", "pen")));
		assertThat(orders.find(new Document("_id", 3)).first()).containsEntry("item", "pen");
		orders.deleteOne(new Document("_id", 4));
		assertThat(orders.countDocuments()).isEqualTo(9);
		BothServices.openCursorsUntilBothAreSeen(this.topology, orders);
		assertThat(this.topology.snapshot().services()).extracting(ServiceSnapshot::serviceId)
			.containsExactlyInAnyOrderElementsOf(embedded.getServiceIds());
		Health health = ((HealthIndicator) this.healthContributors.getContributor("mongodbLoadBalancer")).health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsEntry("topologyType", "LoadBalanced").containsEntry("servicesSeen", 2);
		@SuppressWarnings("unchecked")
		List<Map<String, Object>> services = (List<Map<String, Object>>) health.getDetails().get("services");
		assertThat(services).extracting((service) -> service.get("serviceId"))
			.containsExactlyInAnyOrderElementsOf(embedded.getServiceIds().stream().map(ObjectId::toHexString).toList());
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
			LoadBalancerHealthContributorAutoConfiguration.class, HealthContributorAutoConfiguration.class,
			HealthContributorRegistryAutoConfiguration.class })
	static class Application {

	}

}
