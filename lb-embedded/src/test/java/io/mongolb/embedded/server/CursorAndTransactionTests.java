package io.mongolb.embedded.server;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.support.WireClient;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Cursors of a load-balanced client die with its connection (as on mongos), ordinary
 * clients' do not; transactions commit, and an aborted one writes nothing (see
 * {@link TransactionTests} for the rest).
 */
@EmbeddedLoadBalancedMongoTest(fronts = 2)
class CursorAndTransactionTests {

	private static EmbeddedLoadBalancedMongo mongo;

	@BeforeAll
	static void insertDocuments() {
		try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			List<Document> documents = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				documents.add(new Document("_id", i));
			}
			client.getDatabase("cursors").getCollection("items").insertMany(documents);
		}
	}

	private static long openCursorsInServerStatus(MongoClient admin) {
		Document status = admin.getDatabase("admin").runCommand(new Document("serverStatus", 1));
		return status.get("metrics", Document.class)
			.get("cursor", Document.class)
			.get("open", Document.class)
			.get("total", Number.class)
			.longValue();
	}

	private static BsonDocument find() {
		return new BsonDocument("find", new BsonString("items")).append("batchSize", new BsonInt32(2))
			.append("$db", new BsonString("cursors"));
	}

	private static long openCursorsInTheStore(MongoClient admin) {
		Document status = admin.getDatabase("admin").runCommand(new Document("serverStatus", 1));
		return status.get("mongolbEmbedded", Document.class).get("storeOpenCursors", Number.class).longValue();
	}

	@Test
	void disconnectOfALoadBalancedClientKillsItsCursors() throws IOException {
		try (MongoClient admin = MongoClients.create(mongo.getFrontConnectionString(0))) {
			long before = openCursorsInTheStore(admin);
			long cursorId;
			try (WireClient client = new WireClient(mongo.getLoadBalancerPort(0))) {
				client.send(WireClient.v2ProxyHeader());
				client.command(new BsonDocument("hello", new BsonInt32(1)).append("loadBalanced", BsonBoolean.TRUE)
					.append("$db", new BsonString("admin")));
				cursorId = client.command(find()).getDocument("cursor").getInt64("id").getValue();
				assertThat(cursorId).isNotZero();
				assertThat(openCursorsInTheStore(admin)).isEqualTo(before + 1);
			}
			// The client went away without killCursors: the cursor is gone from the
			// store, not only from the front's
			// bookkeeping, so another connection cannot continue it.
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(openCursorsInTheStore(admin)).isEqualTo(before));
			try (WireClient other = new WireClient(mongo.getPort(1))) {
				BsonDocument getMore = other.command(new BsonDocument("getMore", new BsonInt64(cursorId))
					.append("collection", new BsonString("items"))
					.append("$db", new BsonString("cursors")));
				assertThat(getMore.getNumber("ok").doubleValue()).isZero();
				assertThat(getMore.getInt32("code").getValue()).isEqualTo(43);
			}
		}
	}

	@Test
	void disconnectOfAnOrdinaryClientLeavesItsCursorsOpen() throws IOException {
		try (MongoClient admin = MongoClients.create(mongo.getFrontConnectionString(1))) {
			long before = openCursorsInServerStatus(admin);
			long cursorId;
			try (WireClient client = new WireClient(mongo.getPort(1))) {
				cursorId = client.command(find()).getDocument("cursor").getInt64("id").getValue();
				assertThat(openCursorsInServerStatus(admin)).isEqualTo(before + 1);
			}
			// mongos keeps a normal connection's cursors after a disconnect (until they
			// time out).
			await().during(Duration.ofMillis(300))
				.atMost(Duration.ofSeconds(2))
				.untilAsserted(() -> assertThat(openCursorsInServerStatus(admin)).isEqualTo(before + 1));
			Document killed = admin.getDatabase("cursors")
				.runCommand(new Document("killCursors", "items").append("cursors", List.of(cursorId)));
			assertThat(killed.getList("cursorsKilled", Long.class)).containsExactly(cursorId);
			assertThat(openCursorsInServerStatus(admin)).isEqualTo(before);
		}
	}

	@Test
	void driverCursorThroughTheBalancerIsCountedOnItsFront() {
		try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			var cursor = client.getDatabase("cursors").getCollection("items").find().batchSize(2).iterator();
			cursor.next();
			assertThat(mongo.getOpenCursors(0) + mongo.getOpenCursors(1)).isEqualTo(1);
			cursor.close();
			assertThat(mongo.getOpenCursors(0) + mongo.getOpenCursors(1)).isZero();
		}
	}

	@Test
	void transactionCommitsAndAbortedOneWritesNothing() {
		// Was: transactions refused with error 20. They are supported now (issue 11), so
		// the same statements commit, and an aborted transaction writes nothing.
		try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			MongoCollection<Document> collection = client.getDatabase("transactions").getCollection("items");
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				collection.insertOne(session, new Document("_id", "aborted"));
				assertThat(collection.countDocuments(session)).isEqualTo(1);
				assertThat(collection.countDocuments()).isZero();
				session.abortTransaction();
			}
			assertThat(collection.countDocuments()).isZero();
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				collection.insertOne(session, new Document("_id", "in-transaction"));
				session.commitTransaction();
			}
			collection.insertOne(new Document("_id", "outside"));
			assertThat(collection.countDocuments()).isEqualTo(2);
		}
	}

	@Test
	void rawTransactionCommitsAndAnUnknownOneIsNoSuchTransaction() throws IOException {
		try (WireClient client = new WireClient(mongo.getPort(0))) {
			BsonDocument session = new BsonDocument("id", new BsonBinary(java.util.UUID.randomUUID()));
			BsonDocument reply = client.command(new BsonDocument("insert", new BsonString("raw"))
				.append("documents", new BsonArray(List.of(new BsonDocument("_id", new BsonInt32(1)))))
				.append("lsid", session)
				.append("txnNumber", new BsonInt64(1))
				.append("startTransaction", BsonBoolean.TRUE)
				.append("autocommit", BsonBoolean.FALSE)
				.append("$db", new BsonString("transactions")));
			assertThat(reply.getNumber("ok").intValue()).isEqualTo(1);
			BsonDocument count = client.command(
					new BsonDocument("count", new BsonString("raw")).append("$db", new BsonString("transactions")));
			assertThat(count.getNumber("n").intValue()).isZero();
			BsonDocument unknown = client
				.command(new BsonDocument("commitTransaction", new BsonInt32(1)).append("lsid", session)
					.append("txnNumber", new BsonInt64(2))
					.append("autocommit", BsonBoolean.FALSE)
					.append("$db", new BsonString("admin")));
			assertThat(unknown.getInt32("code").getValue()).isEqualTo(251);
			assertThat(unknown.getArray("errorLabels")).containsExactly(new BsonString("TransientTransactionError"));
			BsonDocument commit = client
				.command(new BsonDocument("commitTransaction", new BsonInt32(1)).append("lsid", session)
					.append("txnNumber", new BsonInt64(1))
					.append("autocommit", BsonBoolean.FALSE)
					.append("$db", new BsonString("admin")));
			assertThat(commit.getNumber("ok").intValue()).isEqualTo(1);
			count = client.command(
					new BsonDocument("count", new BsonString("raw")).append("$db", new BsonString("transactions")));
			assertThat(count.getNumber("n").intValue()).isEqualTo(1);
		}
	}

}
