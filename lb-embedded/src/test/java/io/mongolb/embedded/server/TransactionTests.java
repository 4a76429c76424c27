package io.mongolb.embedded.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.mongodb.MongoCommandException;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.event.CommandStartedEvent;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.support.LoadBalancedScenario;
import io.mongolb.embedded.support.RecordingListener;
import io.mongolb.embedded.support.TransactionScenario;
import io.mongolb.embedded.support.WireClient;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Transactions through the in-process balancer with the real driver: pinned, isolated,
 * all or nothing, aborted when a load-balanced client disconnects, conflicting writes
 * refused with a transient label, commits retried safely.
 */
@ExtendWith(OutputCaptureExtension.class)
@EmbeddedLoadBalancedMongoTest(fronts = 2)
class TransactionTests {

	private static EmbeddedLoadBalancedMongo mongo;

	private static List<String> fronts() {
		return List.of(mongo.getFrontConnectionString(0), mongo.getFrontConnectionString(1));
	}

	@Test
	void pinnedTransactionReadsItsOwnWritesInvisiblyAndCommits() {
		TransactionScenario.commitScenario(mongo.getConnectionString(), "txnCommit");
	}

	@Test
	void disconnectInTheMiddleAbortsTheTransaction(CapturedOutput output) {
		TransactionScenario.disconnectScenario(mongo.getConnectionString(), fronts(), "txnDisconnect");
		assertThat(output).contains("aborting in-progress transactions of a disconnected load-balanced client");
	}

	@Test
	void abortDiscardsEveryWrite() {
		try (MongoClient client = MongoClients.create(mongo.getConnectionString());
				MongoClient reader = MongoClients.create(mongo.getConnectionString())) {
			MongoCollection<Document> items = client.getDatabase("txnAbort").getCollection("items");
			items.insertMany(List.of(new Document("_id", 1).append("n", 1), new Document("_id", 2).append("n", 2)));
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				items.insertOne(session, new Document("_id", 3));
				items.updateOne(session, Filters.eq("_id", 1), Updates.inc("n", 100));
				items.deleteOne(session, Filters.eq("_id", 2));
				items.findOneAndUpdate(session, Filters.eq("_id", 3), Updates.set("found", true));
				assertThat(items.countDocuments(session)).isEqualTo(2);
				session.abortTransaction();
			}
			MongoCollection<Document> seen = reader.getDatabase("txnAbort").getCollection("items");
			assertThat(seen.find().into(new ArrayList<>())).containsExactly(new Document("_id", 1).append("n", 1),
					new Document("_id", 2).append("n", 2));
		}
	}

	@Test
	void secondTransactionWritingTheSameCollectionGetsWriteConflict() {
		try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			MongoCollection<Document> items = client.getDatabase("txnConflict").getCollection("items");
			items.insertOne(new Document("_id", 1).append("n", 0));
			try (ClientSession first = client.startSession(); ClientSession second = client.startSession()) {
				first.startTransaction();
				items.updateOne(first, Filters.eq("_id", 1), Updates.inc("n", 1));
				second.startTransaction();
				assertThatThrownBy(() -> items.updateOne(second, Filters.eq("_id", 1), Updates.inc("n", 5)))
					.isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
						assertThat(ex.getErrorCode()).isEqualTo(112);
						assertThat(ex.getErrorCodeName()).isEqualTo("WriteConflict");
						assertThat(ex.hasErrorLabel("TransientTransactionError")).isTrue();
					});
				// As on mongod, the conflict aborted the second transaction.
				assertThatThrownBy(() -> items.find(second).first()).isInstanceOfSatisfying(MongoCommandException.class,
						(ex) -> {
							assertThat(ex.getErrorCode()).isEqualTo(251);
							assertThat(ex.hasErrorLabel("TransientTransactionError")).isTrue();
						});
				second.abortTransaction();
				first.commitTransaction();
			}
			assertThat(items.find().first().getInteger("n")).isEqualTo(1);
		}
	}

	@Test
	void writeOutsideSinceTheTransactionReadTheCollectionIsAConflict() {
		try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			MongoCollection<Document> items = client.getDatabase("txnStale").getCollection("items");
			items.insertOne(new Document("_id", 1).append("n", 0));
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				assertThat(items.find(session).first().getInteger("n")).isZero();
				items.updateOne(Filters.eq("_id", 1), Updates.set("n", 7));
				// Snapshot isolation: the transaction still reads what it read.
				assertThat(items.find(session).first().getInteger("n")).isZero();
				assertThatThrownBy(() -> items.updateOne(session, Filters.eq("_id", 1), Updates.inc("n", 1)))
					.isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
						assertThat(ex.getErrorCode()).isEqualTo(112);
						assertThat(ex.hasErrorLabel("TransientTransactionError")).isTrue();
					});
				session.abortTransaction();
			}
			assertThat(items.find().first().getInteger("n")).isEqualTo(7);
		}
	}

	@Test
	void commitRetriedAfterSuccessIsIdempotent() {
		RecordingListener listener = new RecordingListener();
		try (MongoClient client = LoadBalancedScenario.client(mongo.getConnectionString(), listener)) {
			MongoCollection<Document> items = client.getDatabase("txnRetry").getCollection("items");
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				items.insertOne(session, new Document("_id", 1));
				session.commitTransaction();
				// The driver sends commitTransaction again: the server answers ok again.
				session.commitTransaction();
			}
			assertThat(items.countDocuments()).isEqualTo(1);
		}
		assertThat(listener.succeeded).filteredOn((event) -> event.getCommandName().equals("commitTransaction"))
			.hasSize(2);
	}

	@Test
	void commitWithAnUnknownResultIsRetriedAndCommitsOnce() {
		RecordingListener listener = new RecordingListener();
		try (MongoClient client = LoadBalancedScenario
			.client(mongo.getConnectionString() + "&appName=txn-unknown-commit", listener)) {
			MongoCollection<Document> items = client.getDatabase("txnUnknownCommit").getCollection("items");
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				items.insertOne(session, new Document("_id", 1));
				// NetworkTimeout with the label a 4.4+ server adds, once, on the front
				// the
				// transaction is pinned to: the driver labels the commit
				// UnknownTransactionCommitResult and retries it once.
				int front = mongo.getServiceIds()
					.indexOf(listener.started.get(listener.started.size() - 1)
						.getConnectionDescription()
						.getServiceId());
				failPoint(front, new Document("times", 1),
						new Document("failCommands", List.of("commitTransaction")).append("errorCode", 89)
							.append("errorLabels", List.of("RetryableWriteError")));
				try {
					session.commitTransaction();
				}
				finally {
					failPoint(front, "off", null);
				}
			}
			assertThat(items.countDocuments()).isEqualTo(1);
		}
		List<CommandStartedEvent> commits = listener.started.stream()
			.filter((event) -> event.getCommandName().equals("commitTransaction"))
			.toList();
		assertThat(commits).hasSize(2);
		assertThat(listener.failed).extracting((event) -> ((MongoCommandException) event.getThrowable()).getCode())
			.containsExactly(89);
	}

	@Test
	void failPointOnAbortTransactionAppliesAndTheRetriedAbortDiscards() {
		RecordingListener listener = new RecordingListener();
		try (MongoClient client = LoadBalancedScenario.client(mongo.getConnectionString() + "&appName=txn-abort-fails",
				listener)) {
			MongoCollection<Document> items = client.getDatabase("txnAbortFails").getCollection("items");
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				items.insertOne(session, new Document("_id", 1));
				int front = mongo.getServiceIds()
					.indexOf(listener.started.get(listener.started.size() - 1)
						.getConnectionDescription()
						.getServiceId());
				failPoint(front, new Document("times", 1),
						new Document("failCommands", List.of("abortTransaction")).append("errorCode", 89)
							.append("errorLabels", List.of("RetryableWriteError")));
				try {
					// The driver retries a retryable abort once, and reports no abort
					// error.
					session.abortTransaction();
				}
				finally {
					failPoint(front, "off", null);
				}
			}
			assertThat(items.countDocuments()).isZero();
		}
		assertThat(listener.failed).extracting((event) -> ((MongoCommandException) event.getThrowable()).getCode())
			.containsExactly(89);
		assertThat(listener.succeeded).filteredOn((event) -> event.getCommandName().equals("abortTransaction"))
			.hasSize(1);
	}

	private static void failPoint(int front, Object mode, Document data) {
		try (MongoClient admin = MongoClients.create(mongo.getFrontConnectionString(front))) {
			Document command = new Document("configureFailPoint", "failCommand").append("mode", mode);
			if (data != null) {
				command.append("data", data);
			}
			admin.getDatabase("admin").runCommand(command);
		}
	}

	@Test
	void countCommandIsRefusedInATransactionAsOnMongod() {
		try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				client.getDatabase("txnCount").getCollection("items").insertOne(session, new Document("_id", 1));
				assertThatThrownBy(
						() -> client.getDatabase("txnCount").runCommand(session, new Document("count", "items")))
					.isInstanceOfSatisfying(MongoCommandException.class,
							(ex) -> assertThat(ex.getErrorCode()).isEqualTo(263));
				session.abortTransaction();
			}
			assertThat(client.getDatabase("txnCount").getCollection("items").countDocuments()).isZero();
		}
	}

	@Test
	void statementsOfATransactionArriveOnOneFrontConnection() {
		try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			MongoCollection<Document> items = client.getDatabase("txnOneConnection").getCollection("items");
			try (ClientSession session = client.startSession()) {
				UUID sessionId = session.getServerSession().getIdentifier().getBinary("id").asUuid();
				session.startTransaction();
				for (int i = 0; i < 5; i++) {
					items.insertOne(session, new Document("_id", i));
					items.find(session).into(new ArrayList<>());
				}
				session.commitTransaction();
				assertThat(mongo.transactions().connectionsOf(sessionId)).hasSize(1);
			}
		}
	}

	@Test
	void closingTheFrontConnectionAbortsItsTransactionButAnOrdinaryClientsSurvives() throws IOException {
		BsonBinary loadBalancedSession = new BsonBinary(UUID.randomUUID());
		try (WireClient client = new WireClient(mongo.getLoadBalancerPort(0))) {
			client.send(WireClient.v2ProxyHeader());
			client.command(new BsonDocument("hello", new BsonInt32(1)).append("loadBalanced", BsonBoolean.TRUE)
				.append("$db", new BsonString("admin")));
			BsonDocument inserted = client.command(insert(loadBalancedSession, "lb", true));
			assertThat(inserted.getNumber("ok").intValue()).isEqualTo(1);
		}
		// The front aborts it when it sees the connection close, which happens after
		// close() returns: wait for that, or the next transaction's first write to the
		// same collection would meet its write lock (WriteConflict).
		await().until(() -> !mongo.transactions().anyActive());
		BsonBinary ordinarySession = new BsonBinary(UUID.randomUUID());
		try (WireClient client = new WireClient(mongo.getPort(1))) {
			assertThat(client.command(insert(ordinarySession, "ordinary", true)).getNumber("ok").intValue())
				.isEqualTo(1);
		}
		try (WireClient other = new WireClient(mongo.getPort(0))) {
			// Keyed by lsid and txnNumber, not by connection: an ordinary client's
			// transaction
			// outlives its connection (until its lifetime ends), as on mongod.
			await()
				.untilAsserted(() -> assertThat(other.command(commit(loadBalancedSession)).getInt32("code").getValue())
					.isEqualTo(251));
			assertThat(other.command(commit(ordinarySession)).getNumber("ok").intValue()).isEqualTo(1);
			BsonDocument ids = other
				.command(new BsonDocument("find", new BsonString("items")).append("$db", new BsonString("txnWire")));
			assertThat(ids.getDocument("cursor").getArray("firstBatch"))
				.containsExactly(new BsonDocument("_id", new BsonString("ordinary")));
		}
	}

	private static BsonDocument insert(BsonBinary session, String id, boolean start) {
		BsonDocument insert = new BsonDocument("insert", new BsonString("items"))
			.append("documents", new BsonArray(List.of(new BsonDocument("_id", new BsonString(id)))))
			.append("lsid", new BsonDocument("id", session))
			.append("txnNumber", new BsonInt64(1))
			.append("autocommit", BsonBoolean.FALSE)
			.append("$db", new BsonString("txnWire"));
		if (start) {
			insert.append("startTransaction", BsonBoolean.TRUE);
		}
		return insert;
	}

	private static BsonDocument commit(BsonBinary session) {
		return new BsonDocument("commitTransaction", new BsonInt32(1)).append("lsid", new BsonDocument("id", session))
			.append("txnNumber", new BsonInt64(1))
			.append("autocommit", BsonBoolean.FALSE)
			.append("$db", new BsonString("admin"));
	}

}
