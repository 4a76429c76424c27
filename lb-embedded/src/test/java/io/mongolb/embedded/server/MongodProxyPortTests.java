package io.mongolb.embedded.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Filters;
import com.mongodb.connection.ClusterType;
import com.mongodb.connection.ServerDescription;
import com.mongodb.connection.ServerType;
import io.mongolb.embedded.proxy.ProxyProtocolBalancer;
import io.mongolb.embedded.proxy.ProxyProtocolVersion;
import io.mongolb.embedded.support.HaproxyProcess;
import io.mongolb.embedded.support.LoadBalancedScenario;
import io.mongolb.embedded.support.Messages;
import io.mongolb.embedded.support.RecordingListener;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The mongod-style proxy port (mongod's {@code proxyPort}) through the real driver: an
 * ordinary client behind the in-process balancer and behind a real HAProxy sees a
 * standalone mongod over the shared store; a load-balanced client is refused by the
 * driver, as against a real mongod, because the hello has no serviceId; a connection
 * without a PROXY header is closed.
 */
@ExtendWith(OutputCaptureExtension.class)
class MongodProxyPortTests {

	/** The Java driver's words when a load-balanced hello reply has no serviceId. */
	private static final String DRIVER_REFUSAL = "Driver attempted to initialize in load balancing mode, "
			+ "but the server does not support this mode";

	@TempDir
	Path directory;

	@ParameterizedTest
	@EnumSource(ProxyProtocolVersion.class)
	void ordinaryClientBehindTheInProcessBalancerSeesAStandaloneMongod(ProxyProtocolVersion version) {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(2)
			.mongodProxyPort(true)
			.start();
				ProxyProtocolBalancer balancer = ProxyProtocolBalancer.start(new InetSocketAddress("127.0.0.1", 0),
						proxyPorts(mongo), version)) {
			ordinaryClientScenario(mongo, "mongodb://127.0.0.1:" + balancer.getPort() + "/");
			ProxyHeaderCounts received = sum(mongo.getProxyPortHeaderCounts(0), mongo.getProxyPortHeaderCounts(1));
			if (version == ProxyProtocolVersion.V2) {
				assertThat(received.v2()).isPositive();
				assertThat(received.v1()).isZero();
			}
			else {
				assertThat(received.v1()).isPositive();
				assertThat(received.v2()).isZero();
			}
			// Counted apart: the load-balancer ports saw only the load-balanced client of
			// the scenario, through the cluster's own balancer.
			assertThat(mongo.getProxyHeaderCounts(0).v1() + mongo.getProxyHeaderCounts(1).v1()).isZero();
		}
	}

	@Test
	void loadBalancedClientIsRefusedAsAgainstAMongod(CapturedOutput output) {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(1)
			.mongodProxyPort(true)
			.start();
				ProxyProtocolBalancer balancer = ProxyProtocolBalancer.start(new InetSocketAddress("127.0.0.1", 0),
						proxyPorts(mongo), ProxyProtocolVersion.V2);
				MongoClient client = MongoClients.create(
						"mongodb://127.0.0.1:" + balancer.getPort() + "/?loadBalanced=true&connectTimeoutMS=5000")) {
			assertThatThrownBy(() -> client.getDatabase("admin").runCommand(new Document("ping", 1)))
				.satisfies((ex) -> assertThat(Messages.chain(ex)).contains(DRIVER_REFUSAL));
			assertThat(output.getOut()).contains("Front 0 mongod proxy port, connection from")
				.contains("a load-balanced client connected; answered as mongod answers it, without a serviceId");
			assertThat(mongo.getLoadBalancedConnections(0)).isZero();
		}
	}

	@Test
	void connectionWithoutProxyHeaderIsClosed(CapturedOutput output) {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(1)
			.balancer(false)
			.mongodProxyPort(true)
			.start();
				MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + mongo.getProxyPort(0)
						+ "/?directConnection=true&serverSelectionTimeoutMS=1500&connectTimeoutMS=1500")) {
			assertThatThrownBy(() -> client.getDatabase("admin").runCommand(new Document("ping", 1)))
				.satisfies((ex) -> assertThat(Messages.chain(ex)).contains("Timed out"));
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(output.getOut()).contains("Front 0 mongod proxy port, connection from")
					.contains("Initial Proxy Protocol header bytes invalid"));
			assertThat(mongo.getProxyPortHeaderCounts(0).total()).isZero();
		}
	}

	@Test
	void ordinaryClientBehindHaproxySeesAStandaloneMongodAndLoadBalancedOneIsRefused(CapturedOutput output) {
		HaproxyProcess.requireHaproxy();
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(2)
			.mongodProxyPort(true)
			.start();
				HaproxyProcess haproxy = HaproxyProcess.start(this.directory,
						proxyPorts(mongo).stream().map(InetSocketAddress::getPort).toList(), "send-proxy-v2")) {
			// HAProxy's health checks reach both proxy ports as PROXY v2 LOCAL headers.
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(mongo.getProxyPortHeaderCounts(0).v2Local()).isPositive());
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(mongo.getProxyPortHeaderCounts(1).v2Local()).isPositive());
			ordinaryClientScenario(mongo, "mongodb://127.0.0.1:" + haproxy.getPort() + "/");
			assertThat(mongo.getProxyPortHeaderCounts(0).v2() + mongo.getProxyPortHeaderCounts(1).v2()).isPositive();
			try (MongoClient loadBalanced = MongoClients
				.create("mongodb://127.0.0.1:" + haproxy.getPort() + "/?loadBalanced=true&connectTimeoutMS=5000")) {
				assertThatThrownBy(() -> loadBalanced.getDatabase("admin").runCommand(new Document("ping", 1)))
					.satisfies((ex) -> assertThat(Messages.chain(ex)).contains(DRIVER_REFUSAL));
			}
		}
		assertThat(output.getOut().lines().filter((line) -> line.contains(" WARN ") || line.contains(" ERROR ")))
			.as("warnings and errors logged")
			.isEmpty();
	}

	@Test
	void proxyPortIsKeptAcrossARestartAndNeedsTheOption() {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(1)
			.mongodProxyPort(true)
			.start()) {
			int proxyPort = mongo.getProxyPort(0);
			assertThat(proxyPort).isNotIn(mongo.getPort(0), mongo.getLoadBalancerPort(0));
			mongo.stopFront(0);
			mongo.startFront(0);
			assertThat(mongo.getProxyPort(0)).isEqualTo(proxyPort);
		}
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(1).start()) {
			assertThatIllegalStateException().isThrownBy(() -> mongo.getProxyPort(0))
				.withMessageContaining("mongodProxyPort(true)");
			assertThat(mongo.getProxyPortHeaderCounts(0).total()).isZero();
		}
	}

	/*
	 * An ordinary client through a balancer in front of the proxy ports: a standalone
	 * mongod's hello, CRUD and a getMore over the store the load-balancer ports share.
	 */
	private static void ordinaryClientScenario(EmbeddedLoadBalancedMongo mongo, String connectionString) {
		RecordingListener listener = new RecordingListener();
		try (MongoClient client = LoadBalancedScenario.client(connectionString, listener)) {
			Document hello = client.getDatabase("admin").runCommand(new Document("hello", 1));
			assertThat(hello).containsEntry("isWritablePrimary", true)
				.containsEntry("ok", 1.0)
				.doesNotContainKey("msg")
				.doesNotContainKey("serviceId");
			MongoCollection<Document> collection = client.getDatabase("proxyport").getCollection("items");
			List<Document> documents = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				documents.add(new Document("_id", i).append("n", i));
			}
			collection.insertMany(documents);
			collection.deleteOne(Filters.eq("_id", 9));
			assertThat(collection.countDocuments()).isEqualTo(9);
			List<Integer> seen = new ArrayList<>();
			try (MongoCursor<Document> cursor = collection.find()
				.sort(new Document("_id", 1))
				.batchSize(3)
				.iterator()) {
				cursor.forEachRemaining((document) -> seen.add(document.getInteger("_id")));
			}
			assertThat(seen).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
			assertThat(listener.started).anySatisfy((event) -> assertThat(event.getCommandName()).isEqualTo("getMore"));
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(
						() -> assertThat(client.getClusterDescription().getType()).isEqualTo(ClusterType.STANDALONE));
			assertThat(client.getClusterDescription().getServerDescriptions()).singleElement()
				.extracting(ServerDescription::getType)
				.isEqualTo(ServerType.STANDALONE);
		}
		assertThat(listener.started).isNotEmpty()
			.allSatisfy((event) -> assertThat(event.getConnectionDescription().getServiceId()).isNull());
		assertThat(listener.failed).isEmpty();
		// The same store as the load-balancer ports.
		try (MongoClient loadBalanced = MongoClients.create(mongo.getConnectionString())) {
			assertThat(loadBalanced.getDatabase("proxyport").getCollection("items").countDocuments()).isEqualTo(9);
		}
	}

	private static List<InetSocketAddress> proxyPorts(EmbeddedLoadBalancedMongo mongo) {
		List<InetSocketAddress> ports = new ArrayList<>();
		for (int front = 0; front < mongo.getFrontCount(); front++) {
			ports.add(new InetSocketAddress("127.0.0.1", mongo.getProxyPort(front)));
		}
		return ports;
	}

	private static ProxyHeaderCounts sum(ProxyHeaderCounts a, ProxyHeaderCounts b) {
		return new ProxyHeaderCounts(a.v1() + b.v1(), a.v2() + b.v2(), a.v2Local() + b.v2Local());
	}

}
