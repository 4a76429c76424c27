package io.mongolb.embedded.server;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.mongodb.MongoCommandException;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.client.model.changestream.FullDocument;
import com.mongodb.client.model.changestream.OperationType;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.support.WireClient;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Change streams through the real driver and the in-process balancer: on a collection, a
 * database and the cluster; getMore held for maxAwaitTimeMS and woken by a write; resume
 * tokens; a capped history; a clear error when change streams are off.
 */
@EmbeddedLoadBalancedMongoTest(fronts = 2, changeStreams = true)
class ChangeStreamTests {

	private static EmbeddedLoadBalancedMongo mongo;

	private static MongoClient client;

	private static MongoClient writer;

	@BeforeAll
	static void clients() {
		client = MongoClients.create(mongo.getConnectionString());
		writer = MongoClients.create(mongo.getConnectionString());
	}

	@AfterAll
	static void close() {
		client.close();
		writer.close();
	}

	private static MongoCollection<Document> written(String collection) {
		return writer.getDatabase("streams").getCollection(collection);
	}

	@Test
	void collectionStreamSeesInsertUpdateReplaceDeleteAndDrop() {
		MongoCollection<Document> watched = client.getDatabase("streams").getCollection("crud");
		try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor = watched.watch()
			.fullDocument(FullDocument.UPDATE_LOOKUP)
			.maxAwaitTime(200, TimeUnit.MILLISECONDS)
			.cursor()) {
			written("other").insertOne(new Document("_id", "elsewhere"));
			written("crud").insertOne(new Document("_id", 1).append("n", 1));
			written("crud").updateOne(Filters.eq("_id", 1),
					Updates.combine(Updates.inc("n", 1), Updates.set("s", "x")));

			ChangeStreamDocument<Document> insert = cursor.next();
			assertThat(insert.getOperationType()).isEqualTo(OperationType.INSERT);
			assertThat(insert.getNamespace().getFullName()).isEqualTo("streams.crud");
			assertThat(insert.getFullDocument()).isEqualTo(new Document("_id", 1).append("n", 1));
			assertThat(insert.getDocumentKey()).isEqualTo(new BsonDocument("_id", new BsonInt32(1)));
			assertThat(insert.getClusterTime()).isNotNull();
			assertThat(insert.getWallTime()).isNotNull();

			ChangeStreamDocument<Document> update = cursor.next();
			assertThat(update.getOperationType()).isEqualTo(OperationType.UPDATE);
			assertThat(update.getUpdateDescription().getUpdatedFields())
				.isEqualTo(new BsonDocument("n", new BsonInt32(2)).append("s", new BsonString("x")));
			// updateLookup: the document as it is when the event is read.
			assertThat(update.getFullDocument()).containsEntry("n", 2).containsEntry("s", "x");

			written("crud").replaceOne(Filters.eq("_id", 1), new Document("_id", 1).append("r", true));
			written("crud").deleteOne(Filters.eq("_id", 1));
			written("crud").drop();

			ChangeStreamDocument<Document> replace = cursor.next();
			assertThat(replace.getOperationType()).isEqualTo(OperationType.REPLACE);
			assertThat(replace.getFullDocument()).isEqualTo(new Document("_id", 1).append("r", true));

			assertThat(cursor.next().getOperationType()).isEqualTo(OperationType.DELETE);
			assertThat(cursor.next().getOperationType()).isEqualTo(OperationType.DROP);
			assertThat(cursor.next().getOperationType()).isEqualTo(OperationType.INVALIDATE);
		}
	}

	@Test
	void committedTransactionIsSeenWholeAndAnAbortedOneNot() {
		written("txn").insertMany(List.of(new Document("_id", 1).append("n", 1), new Document("_id", 2)));
		MongoCollection<Document> watched = client.getDatabase("streams").getCollection("txn");
		try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor = watched.watch()
			.maxAwaitTime(200, TimeUnit.MILLISECONDS)
			.cursor(); ClientSession session = writer.startSession()) {
			session.startTransaction();
			written("txn").insertOne(session, new Document("_id", "aborted"));
			session.abortTransaction();
			session.startTransaction();
			written("txn").updateOne(session, Filters.eq("_id", 1), Updates.inc("n", 1));
			written("txn").deleteOne(session, Filters.eq("_id", 2));
			written("txn").insertOne(session, new Document("_id", 3));
			// Nothing before the commit.
			assertThat(cursor.tryNext()).isNull();
			session.commitTransaction();
			List<ChangeStreamDocument<Document>> events = new ArrayList<>();
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				ChangeStreamDocument<Document> event = cursor.tryNext();
				if (event != null) {
					events.add(event);
				}
				assertThat(events).hasSize(3);
			});
			assertThat(events).extracting((event) -> event.getOperationType().name() + " " + event.getDocumentKey())
				.containsExactlyInAnyOrder("REPLACE {\"_id\": 1}", "DELETE {\"_id\": 2}", "INSERT {\"_id\": 3}");
			assertThat(events).filteredOn((event) -> event.getOperationType() == OperationType.REPLACE)
				.singleElement()
				.satisfies((event) -> assertThat(event.getFullDocument()).containsEntry("n", 2));
			// The aborted insert never shows.
			assertThat(cursor.tryNext()).isNull();
		}
	}

	@Test
	void getMoreWaitsForMaxAwaitTimeThenAnswersEmpty() {
		MongoCollection<Document> watched = client.getDatabase("streams").getCollection("quiet");
		try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor = watched.watch()
			.maxAwaitTime(300, TimeUnit.MILLISECONDS)
			.cursor()) {
			long start = System.nanoTime();
			assertThat(cursor.tryNext()).isNull();
			long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			// The front held the getMore (no instant empty answer) and let it go at the
			// bound.
			assertThat(elapsed).isBetween(250L, 5_000L);
			assertThat(cursor.getResumeToken()).as("postBatchResumeToken").isNotNull();
		}
	}

	@Test
	void heldGetMoreIsWokenByAWrite() throws Exception {
		MongoCollection<Document> watched = client.getDatabase("streams").getCollection("wake");
		try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor = watched.watch()
			.maxAwaitTime(20, TimeUnit.SECONDS)
			.cursor()) {
			long start = System.nanoTime();
			CompletableFuture<ChangeStreamDocument<Document>> next = CompletableFuture.supplyAsync(cursor::tryNext);
			// A write elsewhere wakes the held getMore only to find nothing in scope:
			// it waits on.
			written("unrelated").insertOne(new Document());
			await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
				written("wake").insertOne(new Document("_id", new org.bson.types.ObjectId()));
				assertThat(next).isDone();
			});
			assertThat(next.get(5, TimeUnit.SECONDS).getNamespace().getCollectionName()).isEqualTo("wake");
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
		}
	}

	@Test
	void resumeAfterAndStartAfterContinueAfterTheToken() {
		MongoCollection<Document> watched = client.getDatabase("streams").getCollection("resume");
		BsonDocument token;
		try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor = watched.watch().cursor()) {
			written("resume")
				.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
			token = cursor.next().getResumeToken();
		}
		try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> resumed = watched.watch()
			.resumeAfter(token)
			.cursor()) {
			assertThat(resumed.next().getDocumentKey().getInt32("_id").getValue()).isEqualTo(2);
			assertThat(resumed.next().getDocumentKey().getInt32("_id").getValue()).isEqualTo(3);
		}
		try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> started = watched.watch()
			.startAfter(token)
			.cursor()) {
			assertThat(started.next().getDocumentKey().getInt32("_id").getValue()).isEqualTo(2);
		}
	}

	@Test
	void databaseAndClusterStreamsSeeEveryCollection() {
		try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> database = client.getDatabase("streams")
			.watch()
			.cursor(); MongoChangeStreamCursor<ChangeStreamDocument<Document>> cluster = client.watch().cursor()) {
			written("a").insertOne(new Document("_id", "a"));
			writer.getDatabase("elsewhere").getCollection("b").insertOne(new Document("_id", "b"));
			written("c").insertOne(new Document("_id", "c"));
			assertThat(database.next().getNamespace().getCollectionName()).isEqualTo("a");
			assertThat(database.next().getNamespace().getCollectionName()).isEqualTo("c");
			assertThat(cluster.next().getNamespace().getFullName()).isEqualTo("streams.a");
			assertThat(cluster.next().getNamespace().getFullName()).isEqualTo("elsewhere.b");
			assertThat(cluster.next().getNamespace().getFullName()).isEqualTo("streams.c");
		}
	}

	@Test
	void stagesAfterChangeStreamFilterEvents() {
		MongoCollection<Document> watched = client.getDatabase("streams").getCollection("filtered");
		try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor = watched
			.watch(List.of(Aggregates.match(Filters.eq("fullDocument.keep", true))))
			.cursor()) {
			written("filtered").insertMany(
					List.of(new Document("_id", 1).append("keep", false), new Document("_id", 2).append("keep", true)));
			assertThat(cursor.next().getDocumentKey().getInt32("_id").getValue()).isEqualTo(2);
		}
	}

	@Test
	void changeStreamOnAdminWithoutAllChangesForClusterNamesTheLevel() {
		assertThatThrownBy(() -> client.getDatabase("admin").watch().cursor())
			.isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
				assertThat(ex.getErrorCode()).isEqualTo(73);
				assertThat(ex.getErrorMessage()).contains("allChangesForCluster");
			});
	}

	@Test
	void disconnectKillsAHeldChangeStream() throws IOException {
		try (MongoClient admin = MongoClients.create(mongo.getFrontConnectionString(0))) {
			long before = storeOpenCursors(admin);
			try (WireClient raw = new WireClient(mongo.getLoadBalancerPort(0))) {
				raw.send(WireClient.v2ProxyHeader());
				raw.command(new BsonDocument("hello", new BsonInt32(1)).append("loadBalanced", BsonBoolean.TRUE)
					.append("$db", new BsonString("admin")));
				BsonDocument opened = raw.command(new BsonDocument("aggregate", new BsonString("held"))
					.append("pipeline", new BsonArray(List.of(new BsonDocument("$changeStream", new BsonDocument()))))
					.append("cursor", new BsonDocument())
					.append("$db", new BsonString("streams")));
				long id = opened.getDocument("cursor").getInt64("id").getValue();
				assertThat(id).isNotZero();
				assertThat(opened.getDocument("cursor").getDocument("postBatchResumeToken")).isNotNull();
				// A getMore that the front holds (maxTimeMS 30 s) when the client goes.
				raw.sendMessage(
						new BsonDocument("getMore", new BsonInt64(id)).append("collection", new BsonString("held"))
							.append("maxTimeMS", new BsonInt32(30_000))
							.append("$db", new BsonString("streams")),
						0);
				assertThat(storeOpenCursors(admin)).isEqualTo(before + 1);
			}
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(storeOpenCursors(admin)).isEqualTo(before));
		}
	}

	private static long storeOpenCursors(MongoClient admin) {
		Document status = admin.getDatabase("admin").runCommand(new Document("serverStatus", 1));
		return status.get("mongolbEmbedded", Document.class).get("storeOpenCursors", Number.class).longValue();
	}

	/**
	 * A history of 5 events: a change stream that falls further behind gets 286, and the
	 * history never holds more than its cap.
	 */
	@Nested
	@EmbeddedLoadBalancedMongoTest(fronts = 1, changeStreams = true, changeStreamHistory = 5)
	class CappedHistory {

		@Test
		void streamThatFallsBehindGetsHistoryLost(EmbeddedLoadBalancedMongo capped) {
			try (MongoClient reader = MongoClients.create(capped.getConnectionString());
					MongoClient busy = MongoClients.create(capped.getConnectionString())) {
				MongoCollection<Document> collection = reader.getDatabase("streams").getCollection("busy");
				try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor = collection.watch().cursor()) {
					for (int i = 0; i < 20; i++) {
						busy.getDatabase("streams").getCollection("busy").insertOne(new Document("_id", i));
					}
					assertThat(capped.changeStreamEventsKept()).isEqualTo(5);
					assertThatThrownBy(cursor::tryNext).isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
						assertThat(ex.getErrorCode()).isEqualTo(286);
						assertThat(ex.getErrorCodeName()).isEqualTo("ChangeStreamHistoryLost");
						assertThat(ex.getErrorMessage()).contains("changeStreamHistory");
					});
				}
				// A stream opened now reads on from the newest event.
				try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor = collection.watch().cursor()) {
					busy.getDatabase("streams").getCollection("busy").insertOne(new Document("_id", "new"));
					assertThat(cursor.next().getDocumentKey().getString("_id").getValue()).isEqualTo("new");
				}
				// The store keeps no oplog collection.
				assertThat(reader.getDatabase("local").listCollectionNames()).doesNotContain("oplog.rs");
			}
		}

	}

	/**
	 * Change streams off (the default): a clear error naming the option.
	 */
	@Nested
	@EmbeddedLoadBalancedMongoTest(fronts = 1)
	class Off {

		@Test
		void changeStreamFailsNamingTheOption(EmbeddedLoadBalancedMongo off) {
			try (MongoClient reader = MongoClients.create(off.getConnectionString())) {
				assertThatThrownBy(() -> reader.getDatabase("streams").getCollection("any").watch().cursor())
					.isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
						assertThat(ex.getErrorCode()).isEqualTo(40573);
						assertThat(ex.getErrorMessage()).contains("mongodb.load-balanced.embedded.change-streams=true")
							.contains("changeStreams(true)");
					});
			}
		}

	}

}
