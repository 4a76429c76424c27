package io.mongolb.embedded.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoWriteConcernException;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.connection.ConnectionId;
import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.ConnectionClosedEvent;
import com.mongodb.event.ConnectionPoolListener;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest.Lifecycle;
import io.mongolb.embedded.support.Messages;
import io.mongolb.embedded.support.RecordingListener;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code failCommand} fail point, configured per front the way driver test suites
 * configure mongos. A cluster per test: fail points, pools and connection counts start
 * clean.
 */
@EmbeddedLoadBalancedMongoTest(fronts = 2, lifecycle = Lifecycle.PER_METHOD)
class FailPointTests {

	private EmbeddedLoadBalancedMongo mongo;

	private Document configure(int front, Object mode, Document data) {
		try (MongoClient admin = MongoClients.create(this.mongo.getFrontConnectionString(front))) {
			Document command = new Document("configureFailPoint", "failCommand").append("mode", mode);
			if (data != null) {
				command.append("data", data);
			}
			return admin.getDatabase("admin").runCommand(command);
		}
	}

	@Test
	void errorCodeTimesAndOff() {
		try (MongoClient client = MongoClients.create(this.mongo.getFrontConnectionString(0))) {
			MongoCollection<Document> collection = client.getDatabase("fail").getCollection("items");
			collection.insertOne(new Document("_id", 1));
			configure(0, new Document("times", 2),
					new Document("failCommands", List.of("count", "aggregate")).append("errorCode", 91));
			for (int i = 0; i < 2; i++) {
				assertThatThrownBy(() -> client.getDatabase("fail").runCommand(new Document("count", "items")))
					.isInstanceOfSatisfying(MongoCommandException.class,
							(ex) -> assertThat(ex.getErrorCode()).isEqualTo(91));
			}
			assertThat(client.getDatabase("fail").runCommand(new Document("count", "items")).getInteger("n"))
				.isEqualTo(1);

			configure(0, "alwaysOn", new Document("failCommands", List.of("insert")).append("errorCode", 11600)
				.append("appName", "someone-else"));
			collection.insertOne(new Document("_id", 2));
			configure(0, "alwaysOn", new Document("failCommands", List.of("insert")).append("errorCode", 11600));
			assertThatThrownBy(() -> collection.insertOne(new Document("_id", 3)))
				.hasMessageContaining("Failing command via 'failCommand' failpoint");
			configure(0, "off", null);
			collection.insertOne(new Document("_id", 4));
			assertThat(collection.countDocuments()).isEqualTo(3);
		}
	}

	@Test
	void errorLabelsAreSentWithTheError() {
		try (MongoClient client = MongoClients.create(this.mongo.getFrontConnectionString(0))) {
			configure(0, "alwaysOn", new Document("failCommands", List.of("count")).append("errorCode", 91)
				.append("errorLabels", List.of("TransientTransactionError", "mongolbTestLabel")));
			assertThatThrownBy(() -> client.getDatabase("fail").runCommand(new Document("count", "items")))
				.isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
					assertThat(ex.getErrorCode()).isEqualTo(91);
					assertThat(ex.getErrorLabels()).containsExactlyInAnyOrder("TransientTransactionError",
							"mongolbTestLabel");
					assertThat(ex.getResponse().getArray("errorLabels")).hasSize(2);
				});
			// A later configuration without labels sends none.
			configure(0, "alwaysOn", new Document("failCommands", List.of("count")).append("errorCode", 91));
			assertThatThrownBy(() -> client.getDatabase("fail").runCommand(new Document("count", "items")))
				.isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
					assertThat(ex.getErrorCode()).isEqualTo(91);
					assertThat(ex.getErrorLabels()).isEmpty();
				});
		}
	}

	@Test
	void failPointAppliesOnlyToTheFrontThatReceivedIt() {
		configure(1, "alwaysOn", new Document("failCommands", List.of("count")).append("errorCode", 2));
		try (MongoClient front0 = MongoClients.create(this.mongo.getFrontConnectionString(0));
				MongoClient front1 = MongoClients.create(this.mongo.getFrontConnectionString(1))) {
			assertThat(front0.getDatabase("fail").runCommand(new Document("count", "x")).getInteger("n")).isZero();
			assertThatThrownBy(() -> front1.getDatabase("fail").runCommand(new Document("count", "x")))
				.isInstanceOf(MongoCommandException.class);
		}
	}

	@Test
	void unknownFailPointIsRejected() {
		try (MongoClient admin = MongoClients.create(this.mongo.getFrontConnectionString(0))) {
			assertThatThrownBy(() -> admin.getDatabase("admin")
				.runCommand(new Document("configureFailPoint", "blockReplication").append("mode", "alwaysOn")))
				.isInstanceOfSatisfying(MongoCommandException.class,
						(ex) -> assertThat(ex.getErrorCode()).isEqualTo(2));
		}
	}

	@Test
	void closeConnectionClearsThePoolForThatServiceIdOnly() {
		ObjectId failing = this.mongo.getServiceId(0);
		ObjectId healthy = this.mongo.getServiceId(1);
		RecordingListener listener = new RecordingListener();
		Map<ConnectionId, ObjectId> serviceOf = new ConcurrentHashMap<>();
		List<ConnectionId> closed = new CopyOnWriteArrayList<>();
		MongoClientSettings settings = MongoClientSettings.builder()
			.applyConnectionString(new ConnectionString(this.mongo.getConnectionString() + "&appName=victim"))
			.addCommandListener(listener)
			.addCommandListener(new com.mongodb.event.CommandListener() {
				@Override
				public void commandStarted(CommandStartedEvent event) {
					serviceOf.put(event.getConnectionDescription().getConnectionId(),
							event.getConnectionDescription().getServiceId());
				}
			})
			.applyToConnectionPoolSettings((pool) -> pool.addConnectionPoolListener(listener)
				.addConnectionPoolListener(new ConnectionPoolListener() {
					@Override
					public void connectionClosed(ConnectionClosedEvent event) {
						closed.add(event.getConnectionId());
					}
				}))
			.applyToClusterSettings((cluster) -> cluster.serverSelectionTimeout(5, TimeUnit.SECONDS))
			.build();
		try (MongoClient client = MongoClients.create(settings)) {
			MongoCollection<Document> collection = client.getDatabase("fail").getCollection("items");
			List<Document> documents = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				documents.add(new Document("_id", i));
			}
			collection.insertMany(documents);
			openCursors(collection, 6);
			Set<ConnectionId> healthyConnections = connectionsOf(serviceOf, healthy);
			assertThat(healthyConnections).isNotEmpty();
			assertThat(connectionsOf(serviceOf, failing)).isNotEmpty();
			int healthyLoadBalancedBefore = this.mongo.getLoadBalancedConnections(1);

			configure(0, new Document("times", 1),
					new Document("failCommands", List.of("find")).append("closeConnection", true)
						.append("appName", "victim"));
			// Enough concurrent cursors that one find lands on front 0; the driver
			// retries the read elsewhere.
			openCursors(collection, 6);

			assertThat(listener.cleared).isNotEmpty()
				.allSatisfy((event) -> assertThat(event.getServiceId()).isEqualTo(failing));
			assertThat(closed).doesNotContainAnyElementsOf(healthyConnections);
			assertThat(this.mongo.getLoadBalancedConnections(1)).isGreaterThanOrEqualTo(healthyLoadBalancedBefore);
			// The healthy front's earlier connections are still in use.
			collection.find().first();
			openCursors(collection, 4);
			assertThat(connectionsOf(serviceOf, healthy)).containsAll(healthyConnections);
		}
	}

	@Test
	void configureFailPointItselfIsNeverFailed() {
		configure(0, "alwaysOn",
				new Document("failCommands", List.of("configureFailPoint", "ping")).append("errorCode", 2));
		try (MongoClient client = MongoClients.create(this.mongo.getFrontConnectionString(0))) {
			assertThatThrownBy(() -> client.getDatabase("admin").runCommand(new Document("ping", 1)))
				.isInstanceOf(MongoCommandException.class);
		}
		assertThat(configure(0, "off", null).get("ok", Number.class).intValue()).isEqualTo(1);
		try (MongoClient client = MongoClients.create(this.mongo.getFrontConnectionString(0))) {
			assertThat(
					client.getDatabase("admin").runCommand(new Document("ping", 1)).get("ok", Number.class).intValue())
				.isEqualTo(1);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "closeConnection", "errorCode" })
	void handshakeFailureOnOneFrontFailsThatConnectionOnlyAndDoesNotClearThePool(String failure) {
		ObjectId healthy = this.mongo.getServiceId(1);
		Document data = new Document("failCommands", List.of("isMaster", "hello")).append("appName",
				"handshake-victim");
		data.append(failure, failure.equals("errorCode") ? 91 : true);
		configure(0, "alwaysOn", data);
		RecordingListener listener = new RecordingListener();
		MongoClientSettings settings = MongoClientSettings.builder()
			.applyConnectionString(new ConnectionString(this.mongo.getConnectionString() + "&appName=handshake-victim"))
			.retryReads(false)
			.retryWrites(false)
			.addCommandListener(listener)
			.applyToConnectionPoolSettings((pool) -> pool.addConnectionPoolListener(listener))
			.applyToClusterSettings((cluster) -> cluster.serverSelectionTimeout(5, TimeUnit.SECONDS))
			.build();
		List<Throwable> failures = new ArrayList<>();
		int succeeded = 0;
		try (MongoClient client = MongoClients.create(settings)) {
			// The balancer sends each new connection to the next front: those that land
			// on front 0 fail their
			// handshake, the one on front 1 is kept in the pool and serves the rest.
			for (int i = 0; i < 4; i++) {
				try {
					client.getDatabase("admin").runCommand(new Document("ping", 1));
					succeeded++;
				}
				catch (MongoException ex) {
					failures.add(ex);
				}
			}
		}
		assertThat(failures).as("operations whose connection failed its handshake on front 0").isNotEmpty();
		if (failure.equals("errorCode")) {
			assertThat(failures).allSatisfy((ex) -> assertThat(Messages.chain(ex)).contains("91")
				.contains("Failing command via 'failCommand' failpoint"));
		}
		else {
			assertThat(failures).allSatisfy((ex) -> assertThat(ex).isInstanceOf(MongoSocketException.class));
		}
		assertThat(succeeded).as("operations on front 1").isPositive();
		assertThat(listener.succeeded).isNotEmpty()
			.allSatisfy((event) -> assertThat(event.getConnectionDescription().getServiceId()).isEqualTo(healthy));
		// Load-balancer spec: errors during the handshake are ignored for SDAM error
		// handling, so no pool is cleared.
		assertThat(listener.cleared).isEmpty();
		assertThat(this.mongo.getLoadBalancedConnections(0)).isZero();
		// Other applications' handshakes on front 0 are not affected.
		try (MongoClient other = MongoClients.create(this.mongo.getFrontConnectionString(0))) {
			assertThat(
					other.getDatabase("admin").runCommand(new Document("ping", 1)).get("ok", Number.class).intValue())
				.isEqualTo(1);
		}
	}

	@Test
	void skipLetsTheFirstMatchingCommandsPassAndThenStaysOn() {
		try (MongoClient client = MongoClients.create(this.mongo.getFrontConnectionString(0))) {
			configure(0, new Document("skip", 2),
					new Document("failCommands", List.of("count")).append("errorCode", 91));
			Document count = new Document("count", "items");
			// Commands the fail point does not name do not count towards the skip.
			for (int i = 0; i < 3; i++) {
				client.getDatabase("fail").getCollection("items").find().first();
			}
			for (int i = 0; i < 2; i++) {
				assertThat(client.getDatabase("fail").runCommand(count).getInteger("n")).isZero();
			}
			for (int i = 0; i < 3; i++) {
				assertThatThrownBy(() -> client.getDatabase("fail").runCommand(count)).isInstanceOfSatisfying(
						MongoCommandException.class, (ex) -> assertThat(ex.getErrorCode()).isEqualTo(91));
			}
			assertThatThrownBy(() -> configure(0, new Document("skip", -1),
					new Document("failCommands", List.of("count")).append("errorCode", 91)))
				.isInstanceOfSatisfying(MongoCommandException.class,
						(ex) -> assertThat(ex.getErrorMessage()).contains("{skip: n}"));
		}
	}

	@Test
	void writeConcernErrorIsAddedToTheReplyOfAWriteThatRuns() {
		Document writeConcernError = new Document("code", 100).append("errmsg", "Not enough data-bearing nodes")
			.append("errInfo", new Document("writeConcern", new Document("w", 2)));
		try (MongoClient client = MongoClients.create(this.mongo.getConnectionString())) {
			MongoCollection<Document> collection = client.getDatabase("fail").getCollection("concern");
			configureEveryFront(new Document("times", 1),
					new Document("failCommands", List.of("find", "insert"))
						.append("writeConcernError", writeConcernError)
						.append("errorLabels", List.of("mongolbTestLabel")));
			// find takes no write concern: it runs as usual and does not use up the fail
			// point.
			assertThat(collection.find().first()).isNull();
			assertThatThrownBy(() -> collection.insertOne(new Document("_id", 1)))
				.isInstanceOfSatisfying(MongoWriteConcernException.class, (ex) -> {
					assertThat(ex.getCode()).isEqualTo(100);
					assertThat(ex.getWriteConcernError().getMessage()).isEqualTo("Not enough data-bearing nodes");
					assertThat(ex.getWriteConcernError().getDetails()).containsKey("writeConcern");
					assertThat(ex.getErrorLabels()).contains("mongolbTestLabel");
				});
			// The write itself was applied, as on mongos.
			assertThat(collection.countDocuments()).isEqualTo(1);

			configureEveryFront("alwaysOn", new Document("failCommands", List.of("insert")).append("writeConcernError",
					new Document("code", 64).append("errmsg", "waiting for replication timed out")));
			assertThatThrownBy(() -> collection.insertMany(List.of(new Document("_id", 2), new Document("_id", 3))))
				.isInstanceOfSatisfying(MongoBulkWriteException.class, (ex) -> {
					assertThat(ex.getWriteConcernError()).isNotNull();
					assertThat(ex.getWriteConcernError().getCode()).isEqualTo(64);
					assertThat(ex.getWriteErrors()).isEmpty();
				});
			assertThat(collection.countDocuments()).isEqualTo(3);
		}
	}

	@Test
	void writeConcernErrorMustNameCodeAndMessage() {
		assertThatThrownBy(() -> configure(0, "alwaysOn",
				new Document("failCommands", List.of("insert")).append("writeConcernError",
						new Document("errmsg", "no code"))))
			.isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
				assertThat(ex.getErrorCode()).isEqualTo(2);
				assertThat(ex.getErrorMessage()).contains("writeConcernError").contains("'code'");
			});
	}

	@Test
	void failCommandsMatchAnyCommandName() {
		configure(0, "alwaysOn",
				new Document("failCommands",
						List.of("distinct", "commitTransaction", "abortTransaction", "mongolbNoSuchCommand"))
					.append("errorCode", 8));
		try (MongoClient client = MongoClients.create(this.mongo.getFrontConnectionString(0))) {
			for (String name : List.of("commitTransaction", "abortTransaction", "mongolbNoSuchCommand")) {
				assertThatThrownBy(() -> client.getDatabase("admin").runCommand(new Document(name, 1))).as(name)
					.isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
						assertThat(ex.getErrorCode()).isEqualTo(8);
						assertThat(ex.getErrorMessage()).contains("Failing command via 'failCommand' failpoint");
					});
			}
			assertThatThrownBy(
					() -> client.getDatabase("fail").getCollection("items").distinct("x", Integer.class).first())
				.isInstanceOfSatisfying(MongoCommandException.class,
						(ex) -> assertThat(ex.getErrorCode()).isEqualTo(8));
			configure(0, "off", null);
			// Without the fail point, a command the front does not know is not found.
			assertThatThrownBy(() -> client.getDatabase("admin").runCommand(new Document("mongolbNoSuchCommand", 1)))
				.isInstanceOfSatisfying(MongoCommandException.class,
						(ex) -> assertThat(ex.getErrorCode()).isEqualTo(59));
		}
	}

	@Test
	void commitAndAbortTransactionFailThroughTheDriversTransactionPath() {
		RecordingListener listener = new RecordingListener();
		MongoClientSettings settings = MongoClientSettings.builder()
			.applyConnectionString(new ConnectionString(this.mongo.getConnectionString() + "&appName=txn-victim"))
			.addCommandListener(listener)
			.applyToClusterSettings((cluster) -> cluster.serverSelectionTimeout(5, TimeUnit.SECONDS))
			.build();
		configureEveryFront("alwaysOn",
				new Document("failCommands", List.of("commitTransaction", "abortTransaction")).append("errorCode", 2)
					.append("appName", "txn-victim"));
		try (MongoClient client = MongoClients.create(settings)) {
			MongoCollection<Document> collection = client.getDatabase("fail").getCollection("txn");
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				insertInTransaction(collection, session, 1);
				// BadValue (2) is not retryable: the driver's commit fails with it at
				// once.
				assertThatThrownBy(session::commitTransaction).isInstanceOfSatisfying(MongoCommandException.class,
						(ex) -> {
							assertThat(ex.getErrorCode()).isEqualTo(2);
							assertThat(ex.getErrorMessage()).contains("Failing command via 'failCommand' failpoint");
						});
				session.startTransaction();
				insertInTransaction(collection, session, 2);
				// The driver ignores the errors of abortTransaction; the command event
				// shows it.
				session.abortTransaction();
			}
		}
		assertThat(listener.failed).filteredOn((event) -> event.getCommandName().equals("commitTransaction"))
			.singleElement()
			.satisfies((event) -> assertThat(codeOf(event)).isEqualTo(2));
		assertThat(listener.failed).filteredOn((event) -> event.getCommandName().equals("abortTransaction"))
			.singleElement()
			.satisfies((event) -> assertThat(codeOf(event)).isEqualTo(2));
	}

	/*
	 * The statement that starts the transaction; the driver then ends the transaction
	 * with commitTransaction or abortTransaction, which is what the fail point is about.
	 */
	private static void insertInTransaction(MongoCollection<Document> collection, ClientSession session, int id) {
		collection.insertOne(session, new Document("_id", id));
	}

	private static int codeOf(CommandFailedEvent event) {
		assertThat(event.getThrowable()).isInstanceOf(MongoCommandException.class);
		return ((MongoCommandException) event.getThrowable()).getErrorCode();
	}

	private void configureEveryFront(Object mode, Document data) {
		for (int front = 0; front < this.mongo.getFrontCount(); front++) {
			configure(front, mode, data);
		}
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

	private static Set<ConnectionId> connectionsOf(Map<ConnectionId, ObjectId> serviceOf, ObjectId serviceId) {
		Set<ConnectionId> result = ConcurrentHashMap.newKeySet();
		serviceOf.forEach((connection, service) -> {
			if (serviceId.equals(service)) {
				result.add(connection);
			}
		});
		return result;
	}

}
