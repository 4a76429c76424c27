package io.mongolb.embedded.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCommandException;
import com.mongodb.ServerApi;
import com.mongodb.ServerApiVersion;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.event.ServerDescriptionChangedEvent;
import com.mongodb.event.ServerListener;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.support.Messages;
import org.bson.Document;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Misconfigurations as the real driver reports them: an ordinary client through the
 * balancer (354), a load-balanced client on a normal port, and the reverse-proxy option
 * that lets ordinary clients through.
 */
@EmbeddedLoadBalancedMongoTest(fronts = 2)
class DriverErrorPathTests {

	private static EmbeddedLoadBalancedMongo mongo;

	private static MongoClient client(String uri, ServerListener listener, boolean serverApi) {
		MongoClientSettings.Builder builder = MongoClientSettings.builder()
			.applyConnectionString(new ConnectionString(uri))
			.applyToClusterSettings((cluster) -> cluster.serverSelectionTimeout(2, TimeUnit.SECONDS))
			.applyToServerSettings((server) -> server.addServerListener(listener));
		if (serverApi) {
			// With a server API version the handshake is `hello` over OP_MSG; without it,
			// isMaster over OP_QUERY.
			builder.serverApi(ServerApi.builder().version(ServerApiVersion.V1).build());
		}
		return MongoClients.create(builder.build());
	}

	private static void assertMismatch(boolean serverApi) {
		List<Throwable> handshakeErrors = new CopyOnWriteArrayList<>();
		ServerListener listener = new ServerListener() {
			@Override
			public void serverDescriptionChanged(ServerDescriptionChangedEvent event) {
				if (event.getNewDescription().getException() != null) {
					handshakeErrors.add(event.getNewDescription().getException());
				}
			}
		};
		String uri = "mongodb://127.0.0.1:" + mongo.getBalancerPort() + "/";
		try (MongoClient client = client(uri, listener, serverApi)) {
			assertThatThrownBy(() -> client.getDatabase("admin").runCommand(new Document("ping", 1)))
				.satisfies((ex) -> assertThat(Messages.chain(ex)).contains("354")
					.contains("The server is being accessed through a load balancer, but this driver does not have "
							+ "load balancing enabled"));
		}
		assertThat(handshakeErrors).isNotEmpty()
			.anySatisfy((error) -> assertThat(error).isInstanceOfSatisfying(MongoCommandException.class, (command) -> {
				assertThat(command.getErrorCode()).isEqualTo(354);
				assertThat(command.getErrorCodeName()).isEqualTo("LoadBalancerSupportMismatch");
			}));
	}

	@Test
	void ordinaryClientThroughTheBalancerGets354OverOpQueryHandshake() {
		assertMismatch(false);
	}

	@Test
	void ordinaryClientThroughTheBalancerGets354OverOpMsgHandshake() {
		assertMismatch(true);
	}

	@Test
	void loadBalancedClientOnTheNormalPortGetsTheDriversOwnError() {
		String uri = "mongodb://127.0.0.1:" + mongo.getPort(0) + "/?loadBalanced=true";
		try (MongoClient client = MongoClients.create(uri)) {
			assertThatThrownBy(() -> client.getDatabase("admin").runCommand(new Document("ping", 1)))
				.satisfies((ex) -> assertThat(Messages.chain(ex)).contains(
						"Driver attempted to initialize in load balancing mode, but the server does not support this mode"));
		}
	}

	@Test
	void ordinaryClientOnTheNormalPortWorks() {
		try (MongoClient client = MongoClients.create(mongo.getFrontConnectionString(1))) {
			MongoCollection<Document> collection = client.getDatabase("errors").getCollection("normal");
			collection.insertOne(new Document("_id", 1));
			assertThat(collection.countDocuments()).isEqualTo(1);
		}
	}

	@Nested
	@EmbeddedLoadBalancedMongoTest(fronts = 2, acceptNonLoadBalancedClients = true)
	class ReverseProxy {

		@Test
		void reverseProxyOptionLetsOrdinaryClientsThroughTheLoadBalancerPort(EmbeddedLoadBalancedMongo reverse) {
			String uri = "mongodb://127.0.0.1:" + reverse.getBalancerPort() + "/";
			try (MongoClient client = MongoClients.create(uri)) {
				MongoCollection<Document> collection = client.getDatabase("reverse").getCollection("items");
				collection.insertOne(new Document("_id", 1).append("via", "reverse proxy"));
				assertThat(collection.find().first()).containsEntry("via", "reverse proxy");
				await().atMost(5, TimeUnit.SECONDS)
					.untilAsserted(
							() -> assertThat(client.getClusterDescription().getServerDescriptions()).singleElement()
								.satisfies((server) -> assertThat(server.isShardRouter()).isTrue()));
			}
			// Load-balanced clients still get a serviceId on the same port.
			try (MongoClient client = MongoClients.create(reverse.getConnectionString())) {
				assertThat(client.getDatabase("reverse").getCollection("items").countDocuments()).isEqualTo(1);
			}
		}

	}

}
