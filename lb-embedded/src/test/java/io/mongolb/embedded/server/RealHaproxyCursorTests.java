package io.mongolb.embedded.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.support.HaproxyProcess;
import io.mongolb.embedded.support.PinnedCursorScenario;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pinned cursors of every kind (find, aggregate, listCollections, listIndexes, change
 * streams) behind a real HAProxy ({@code send-proxy-v2}, round robin over both fronts),
 * and a balancer that goes away taking the client's connections with it: the fronts kill
 * the cursors. Skipped with a reason when haproxy is not installed, failed under
 * {@code CI=true}.
 */
@EmbeddedLoadBalancedMongoTest(fronts = 2, balancer = false, changeStreams = true)
class RealHaproxyCursorTests {

	private static EmbeddedLoadBalancedMongo mongo;

	@TempDir
	static Path directory;

	private static HaproxyProcess haproxy;

	@BeforeAll
	static void startHaproxy() {
		HaproxyProcess.requireHaproxy();
		haproxy = start("shared");
		PinnedCursorScenario.prepare(haproxy.connectionString());
	}

	@AfterAll
	static void stopHaproxy() {
		if (haproxy != null) {
			haproxy.close();
		}
	}

	private static HaproxyProcess start(String name) {
		Path own = directory.resolve(name);
		own.toFile().mkdirs();
		return HaproxyProcess.start(own, List.of(mongo.getLoadBalancerPort(0), mongo.getLoadBalancerPort(1)),
				"send-proxy-v2");
	}

	@ParameterizedTest
	@EnumSource(PinnedCursorScenario.Kind.class)
	void cursorIsPinnedToItsConnectionBehindHaproxy(PinnedCursorScenario.Kind kind) {
		PinnedCursorScenario.run(haproxy.connectionString(), kind, mongo.getServiceIds());
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(mongo.getOpenCursors(0) + mongo.getOpenCursors(1)).isZero());
	}

	@Test
	void balancerGoingAwayKillsTheClientsCursors() {
		int before = mongo.getOpenCursors(0) + mongo.getOpenCursors(1);
		HaproxyProcess own = start("going-away");
		boolean closed = false;
		try (MongoClient client = MongoClients.create(own.connectionString() + "&serverSelectionTimeoutMS=3000")) {
			var items = client.getDatabase("pinned").getCollection("items");
			MongoCursor<Document> aggregate = items.aggregate(List.of(new Document("$sort", new Document("_id", 1))))
				.batchSize(1)
				.iterator();
			aggregate.next();
			MongoCursor<Document> collections = client.getDatabase("pinned").listCollections().batchSize(1).iterator();
			collections.next();
			MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream = items.watch()
				.maxAwaitTime(100, TimeUnit.MILLISECONDS)
				.cursor();
			assertThat(mongo.getOpenCursors(0) + mongo.getOpenCursors(1)).isEqualTo(before + 3);
			own.close();
			closed = true;
			// HAProxy's exit closes the client's connections to the fronts, which kill
			// what those load-balanced clients opened.
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(mongo.getOpenCursors(0) + mongo.getOpenCursors(1)).isEqualTo(before));
		}
		finally {
			if (!closed) {
				own.close();
			}
		}
	}

}
