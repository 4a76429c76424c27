package io.mongolb.embedded.server;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest.Lifecycle;
import io.mongolb.embedded.support.LoadBalancedScenario;
import io.mongolb.embedded.support.RecordingListener;
import io.mongolb.embedded.support.WireClient;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stopping a front while a client runs, and starting it again with a new serviceId on the
 * same ports.
 */
@EmbeddedLoadBalancedMongoTest(fronts = 2, lifecycle = Lifecycle.PER_METHOD)
class FrontRestartTests {

	private static final int RESTARTS = 300;

	@Test
	void stoppedFrontIsSkippedAndRestartGivesANewServiceId(EmbeddedLoadBalancedMongo mongo) {
		ObjectId first = mongo.getServiceId(0);
		ObjectId second = mongo.getServiceId(1);
		int loadBalancerPort = mongo.getLoadBalancerPort(0);
		RecordingListener listener = new RecordingListener();
		try (MongoClient client = LoadBalancedScenario.client(mongo.getConnectionString(), listener)) {
			MongoCollection<Document> collection = client.getDatabase("restart").getCollection("items");
			for (int i = 0; i < 5; i++) {
				collection.insertOne(new Document("_id", "before-" + i));
			}
			openCursors(collection, 4);
			assertThat(listener.startedServiceIds()).contains(first, second);

			mongo.stopFront(0);
			assertThat(mongo.isFrontRunning(0)).isFalse();
			int mark = listener.succeeded.size();
			for (int i = 0; i < 10; i++) {
				collection.insertOne(new Document("_id", "during-" + i));
				assertThat(collection.find(new Document("_id", "during-" + i)).first()).isNotNull();
			}
			openCursors(collection, 4);
			// Every operation succeeded (a stale pooled connection to the stopped front
			// fails once, the driver retries on a new connection, which the balancer
			// routes to the running front).
			List<ObjectId> afterStop = listener.succeeded.subList(mark, listener.succeeded.size())
				.stream()
				.map((event) -> event.getConnectionDescription().getServiceId())
				.toList();
			assertThat(afterStop).isNotEmpty().doesNotContain(first).containsOnly(second);
			assertThat(listener.cleared).extracting((event) -> event.getServiceId()).containsOnly(first);

			mongo.startFront(0);
			ObjectId restarted = mongo.getServiceId(0);
			assertThat(restarted).isNotNull().isNotEqualTo(first).isNotEqualTo(second);
			assertThat(mongo.getLoadBalancerPort(0)).isEqualTo(loadBalancerPort);
			assertThat(mongo.getServiceId(1)).isEqualTo(second);
			await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
				// More cursors at once than pooled connections: new connections are
				// spread over both fronts.
				openCursors(collection, 16);
				assertThat(listener.startedServiceIds()).contains(restarted);
			});
			assertThat(collection.countDocuments()).isEqualTo(15);
		}
	}

	@Test
	void backToBackRestartsRebindTheFrontsOwnPorts(EmbeddedLoadBalancedMongo mongo) throws IOException {
		int port = mongo.getPort(0);
		int loadBalancerPort = mongo.getLoadBalancerPort(0);
		Set<ObjectId> serviceIds = new HashSet<>();
		serviceIds.add(mongo.getServiceId(0));
		long start = System.nanoTime();
		// stopFront returns once the ports are free, so startFront can bind them at once,
		// every time.
		for (int i = 0; i < RESTARTS; i++) {
			mongo.stopFront(0);
			mongo.startFront(0);
			assertThat(serviceIds.add(mongo.getServiceId(0))).as("new serviceId at restart %d", i).isTrue();
		}
		Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
		assertThat(elapsed).as("%d restarts", RESTARTS).isLessThan(Duration.ofSeconds(30));
		assertThat(mongo.getPort(0)).isEqualTo(port);
		assertThat(mongo.getLoadBalancerPort(0)).isEqualTo(loadBalancerPort);
		try (WireClient client = new WireClient(loadBalancerPort)) {
			client.send(WireClient.v2ProxyHeader());
			BsonDocument hello = client
				.command(new BsonDocument("hello", new BsonInt32(1)).append("loadBalanced", BsonBoolean.TRUE)
					.append("$db", new BsonString("admin")));
			assertThat(hello.getObjectId("serviceId").getValue()).isEqualTo(mongo.getServiceId(0));
		}
	}

	private static void openCursors(MongoCollection<Document> collection, int count) {
		List<MongoCursor<Document>> cursors = new ArrayList<>();
		try {
			for (int i = 0; i < count; i++) {
				MongoCursor<Document> cursor = collection.find().batchSize(1).iterator();
				cursor.next();
				cursors.add(cursor);
			}
		}
		finally {
			cursors.forEach(MongoCursor::close);
		}
	}

}
