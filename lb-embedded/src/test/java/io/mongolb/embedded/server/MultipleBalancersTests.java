package io.mongolb.embedded.server;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Filters;
import io.mongolb.embedded.support.RecordingListener;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * One store behind several balancers: one that reaches exactly one front, another that
 * reaches several, through the real driver.
 */
class MultipleBalancersTests {

	@Test
	void aSingleFrontBalancerSeesOneServiceIdTheOtherBothOverTheSameData() {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start()) {
			EmbeddedBalancer single = mongo.addBalancer(1);
			assertThat(single.getFronts()).containsExactly(1);
			assertThat(single.getConnectionString())
				.isEqualTo("mongodb://127.0.0.1:" + single.getPort() + "/test?loadBalanced=true");
			assertThat(single.getPort()).isNotEqualTo(mongo.getBalancerPort());
			assertThat(mongo.getBalancers()).containsExactly(single);

			RecordingListener singleEvents = new RecordingListener();
			RecordingListener multiEvents = new RecordingListener();
			try (MongoClient one = client(single.getConnectionString(), singleEvents);
					MongoClient several = client(mongo.getConnectionString(), multiEvents)) {
				MongoCollection<Document> throughOne = one.getDatabase("shared").getCollection("items");
				MongoCollection<Document> throughSeveral = several.getDatabase("shared").getCollection("items");
				List<Document> documents = new ArrayList<>();
				for (int i = 0; i < 10; i++) {
					documents.add(new Document("_id", i));
				}
				throughOne.insertMany(documents);
				// A write through one balancer is read through the other, both ways.
				assertThat(throughSeveral.countDocuments()).isEqualTo(10);
				throughSeveral.insertOne(new Document("_id", "through-several"));
				assertThat(throughOne.find(Filters.eq("_id", "through-several")).first()).isNotNull();
				// Open cursors pin one connection each: the multi-front balancer spreads
				// them over both fronts, the single-front one cannot.
				openCursors(throughOne, 6);
				openCursors(throughSeveral, 6);
			}
			ObjectId front1 = mongo.getServiceId(1);
			assertThat(singleEvents.startedServiceIds()).isNotEmpty().containsOnly(front1);
			assertThat(multiEvents.startedServiceIds()).containsOnly(mongo.getServiceId(0), front1)
				.contains(mongo.getServiceId(0), front1);
		}
	}

	@Test
	void balancersFromTheBuilderStartWithTheClusterAndCloseWithIt() {
		EmbeddedBalancer single;
		EmbeddedBalancer both;
		int singlePort;
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(2)
			.balancer(false)
			.addBalancer(0)
			.addBalancer(1, 0)
			.start()) {
			assertThat(mongo.getBalancers()).hasSize(2);
			single = mongo.getBalancers().get(0);
			both = mongo.getBalancers().get(1);
			assertThat(single.getFronts()).containsExactly(0);
			assertThat(both.getFronts()).containsExactly(1, 0);
			singlePort = single.getPort();
			// Without the cluster's own balancer, the additional ones still work.
			RecordingListener events = new RecordingListener();
			try (MongoClient client = client(single.getConnectionString("orders"), events)) {
				assertThat(client.getDatabase("orders")
					.runCommand(new Document("ping", 1))
					.get("ok", Number.class)
					.intValue()).isEqualTo(1);
			}
			assertThat(events.startedServiceIds()).containsOnly(mongo.getServiceId(0));

			// Closing one balancer leaves the other and the fronts running.
			single.close();
			assertThat(single.isRunning()).isFalse();
			assertThatIllegalStateException().isThrownBy(single::getConnectionString).withMessageContaining("[0]");
			assertRefused(singlePort);
			try (MongoClient client = MongoClients.create(both.getConnectionString())) {
				assertThat(client.getDatabase("test")
					.runCommand(new Document("ping", 1))
					.get("ok", Number.class)
					.intValue()).isEqualTo(1);
			}
			int bothPort = both.getPort();
			mongo.close();
			assertThat(both.isRunning()).isFalse();
			assertRefused(bothPort);
		}
	}

	@Test
	void invalidFrontsAreRefusedNamingTheValue() {
		assertThatIllegalArgumentException().isThrownBy(() -> EmbeddedLoadBalancedMongo.builder().addBalancer())
			.withMessageContaining("at least one front");
		assertThatIllegalArgumentException().isThrownBy(() -> EmbeddedLoadBalancedMongo.builder().addBalancer(-1))
			.withMessageContaining("no front -1");
		assertThatIllegalArgumentException().isThrownBy(() -> EmbeddedLoadBalancedMongo.builder().addBalancer(0, 0))
			.withMessageContaining("front 0 is named twice");
		// The number of fronts is known when the cluster starts.
		EmbeddedLoadBalancedMongo notStarted = EmbeddedLoadBalancedMongo.builder().fronts(2).addBalancer(2).build();
		assertThatIllegalArgumentException().isThrownBy(notStarted::start)
			.withMessageContaining("[2]")
			.withMessageContaining("no front 2")
			.withMessageContaining("0 to 1");
		assertThat(notStarted.isRunning()).isFalse();
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(1).start()) {
			assertThatIllegalArgumentException().isThrownBy(() -> mongo.addBalancer(1))
				.withMessageContaining("no front 1")
				.withMessageContaining("0 to 0");
			assertThat(mongo.getBalancers()).isEmpty();
			mongo.close();
			assertThatIllegalStateException().isThrownBy(() -> mongo.addBalancer(0))
				.withMessageContaining("not running");
		}
	}

	/*
	 * A listening socket closed on a shared event loop is released when that loop next
	 * selects, an instant later.
	 */
	private static void assertRefused(int port) {
		await().atMost(5, TimeUnit.SECONDS)
			.untilAsserted(() -> assertThatThrownBy(() -> connect(port)).isInstanceOf(ConnectException.class));
	}

	private static void connect(int port) throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
		}
	}

	private static MongoClient client(String connectionString, RecordingListener listener) {
		return MongoClients.create(MongoClientSettings.builder()
			.applyConnectionString(new ConnectionString(connectionString))
			.addCommandListener(listener)
			.applyToClusterSettings((cluster) -> cluster.serverSelectionTimeout(5, TimeUnit.SECONDS))
			.build());
	}

	private static void openCursors(MongoCollection<Document> collection, int count) {
		List<MongoCursor<Document>> cursors = new ArrayList<>();
		try {
			for (int i = 0; i < count; i++) {
				MongoCursor<Document> cursor = collection.find().batchSize(2).iterator();
				assertThat(cursor.hasNext()).isTrue();
				cursors.add(cursor);
			}
		}
		finally {
			cursors.forEach(MongoCursor::close);
		}
	}

}
