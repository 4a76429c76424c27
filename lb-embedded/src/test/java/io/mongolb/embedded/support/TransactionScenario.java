package io.mongolb.embedded.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoException;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.connection.ConnectionId;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.ConnectionCheckedInEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionPoolListener;
import org.bson.Document;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The transaction scenarios shared by the in-process balancer and the real HAProxy tests,
 * written for this project after the behaviours the driver's load-balancer and
 * transaction specifications describe: a transaction pinned to one connection from its
 * first statement to its commit, reading its own writes through a filtered find, an
 * aggregate, a count and an {@code $inc} update while a reader on another connection sees
 * none of them; a disconnect in the middle aborts it.
 */
public final class TransactionScenario {

	private TransactionScenario() {
	}

	/**
	 * A client that records command events and the pool's check-outs and check-ins, in
	 * one ordered log.
	 * @param connectionString the connection string
	 * @param appName the application name (for fail points)
	 * @param listener the command listener
	 * @param pool the pool events and started commands, in order
	 * @param statements the statements of transactions, as "name connection [start]"
	 * @return the client
	 */
	public static MongoClient client(String connectionString, String appName, RecordingListener listener,
			List<String> pool, List<String> statements) {
		return MongoClients.create(MongoClientSettings.builder()
			.applyConnectionString(new ConnectionString(connectionString))
			.applicationName(appName)
			.addCommandListener(listener)
			.addCommandListener(new com.mongodb.event.CommandListener() {
				@Override
				public void commandStarted(CommandStartedEvent event) {
					String connection = key(event.getConnectionDescription().getConnectionId());
					pool.add("started " + event.getCommandName() + " on " + connection);
					// Read now: the command's buffer is released after the event.
					if (event.getCommand().containsKey("autocommit")) {
						statements.add(event.getCommandName() + " " + connection
								+ (event.getCommand().containsKey("startTransaction") ? " start" : ""));
					}
				}
			})
			.applyToConnectionPoolSettings(
					(settings) -> settings.addConnectionPoolListener(new ConnectionPoolListener() {
						@Override
						public void connectionCheckedOut(ConnectionCheckedOutEvent event) {
							pool.add("out " + key(event.getConnectionId()));
						}

						@Override
						public void connectionCheckedIn(ConnectionCheckedInEvent event) {
							pool.add("in " + key(event.getConnectionId()));
						}
					}))
			.applyToClusterSettings((cluster) -> cluster.serverSelectionTimeout(5, TimeUnit.SECONDS))
			.applyToSocketSettings((socket) -> socket.connectTimeout(5, TimeUnit.SECONDS))
			.build());
	}

	private static String key(ConnectionId id) {
		return id.getServerId().getAddress() + "/" + id.getLocalValue();
	}

	/**
	 * Runs a transaction that writes, reads its own writes four ways, is invisible to a
	 * reader on another connection, and commits; asserts the pinning in the driver's
	 * events.
	 * @param connectionString a load-balanced connection string
	 * @param database the database to use (its collection {@code items} must not exist)
	 */
	public static void commitScenario(String connectionString, String database) {
		RecordingListener listener = new RecordingListener();
		List<String> log = new CopyOnWriteArrayList<>();
		List<String> statements = new CopyOnWriteArrayList<>();
		try (MongoClient client = client(connectionString, "txn-writer", listener, log, statements);
				MongoClient reader = MongoClients.create(connectionString)) {
			MongoCollection<Document> items = client.getDatabase(database).getCollection("items");
			MongoCollection<Document> seen = reader.getDatabase(database).getCollection("items");
			items.insertOne(new Document("_id", 0).append("n", 100).append("tag", "before"));
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				items.insertMany(session, List.of(new Document("_id", 1).append("n", 1).append("tag", "t"),
						new Document("_id", 2).append("n", 5).append("tag", "t")));
				items.updateOne(session, Filters.eq("_id", 1), Updates.inc("n", 10));
				// Read-your-writes: a filtered find, an aggregate, a count, and the $inc
				// above read back.
				assertThat(items.find(session, Filters.eq("tag", "t")).into(new ArrayList<>())).hasSize(2);
				Document sum = items.aggregate(session, List.of(Aggregates.match(Filters.eq("tag", "t")),
						Aggregates.group(null, Accumulators.sum("total", "$n"))))
					.first();
				assertThat(sum.getInteger("total")).isEqualTo(16);
				assertThat(items.countDocuments(session)).isEqualTo(3);
				assertThat(items.find(session, Filters.eq("_id", 1)).first().getInteger("n")).isEqualTo(11);
				// Another connection sees none of it before the commit.
				assertThat(seen.countDocuments()).isEqualTo(1);
				assertThat(seen.find(Filters.eq("tag", "t")).first()).isNull();
				assertThat(seen.aggregate(List.of(Aggregates.group(null, Accumulators.sum("total", "$n"))))
					.first()
					.getInteger("total")).isEqualTo(100);
				session.commitTransaction();
			}
			assertThat(seen.countDocuments()).isEqualTo(3);
			assertThat(seen.find(Filters.eq("_id", 1)).first().getInteger("n")).isEqualTo(11);
		}
		assertPinned(log, "insert", "commitTransaction");
		assertThat(statements).extracting((line) -> line.substring(0, line.indexOf(' ')))
			.containsExactly("insert", "update", "find", "aggregate", "aggregate", "find", "commitTransaction");
		String connection = statements.get(0).split(" ")[1];
		assertThat(statements).as("every statement on one connection")
			.allMatch((line) -> line.split(" ")[1].equals(connection));
		assertThat(statements.get(0)).endsWith(" start");
		assertThat(statements.subList(1, statements.size())).noneMatch((line) -> line.endsWith(" start"));
	}

	/*
	 * Asserts that the connection the last statement started on was checked out once
	 * before the first statement, carried every statement up to the last, and was checked
	 * in only after it.
	 */
	private static void assertPinned(List<String> log, String first, String last) {
		int end = -1;
		for (int i = 0; i < log.size(); i++) {
			if (log.get(i).startsWith("started " + last + " on ")) {
				end = i;
			}
		}
		assertThat(end).as("%s in %s", last, log).isNotNegative();
		String connection = log.get(end).substring(log.get(end).indexOf(" on ") + 4);
		int checkedOut = log.subList(0, end).lastIndexOf("out " + connection);
		assertThat(checkedOut).as("check-out of %s in %s", connection, log).isNotNegative();
		List<String> pinned = log.subList(checkedOut + 1, end + 1);
		assertThat(pinned).as("pinned from the first statement to the last: %s", log)
			.allMatch((line) -> line.startsWith("started ") && line.endsWith(" on " + connection))
			.hasSizeGreaterThan(2);
		assertThat(pinned.get(0)).startsWith("started " + first);
		assertThat(log.subList(end + 1, log.size())).as("checked in after %s: %s", last, log)
			.contains("in " + connection);
	}

	/**
	 * Runs a transaction whose connection a fail point closes at its second statement:
	 * the front aborts it, its first write never appears, and its commit fails.
	 * @param connectionString a load-balanced connection string
	 * @param frontConnectionStrings the fronts' direct connection strings (to arm the
	 * fail point on each)
	 * @param database the database to use
	 */
	public static void disconnectScenario(String connectionString, List<String> frontConnectionStrings,
			String database) {
		RecordingListener listener = new RecordingListener();
		List<String> log = new CopyOnWriteArrayList<>();
		try (MongoClient client = client(connectionString, "txn-disconnect", listener, log,
				new CopyOnWriteArrayList<>()); MongoClient reader = MongoClients.create(connectionString)) {
			MongoCollection<Document> items = client.getDatabase(database).getCollection("items");
			MongoCollection<Document> seen = reader.getDatabase(database).getCollection("items");
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				items.insertOne(session, new Document("_id", "written-before-the-disconnect"));
				failPoint(frontConnectionStrings, "alwaysOn",
						new Document("failCommands", List.of("update")).append("closeConnection", true)
							.append("appName", "txn-disconnect"));
				try {
					assertThatThrownBy(() -> items.updateOne(session, Filters.eq("_id", "x"), Updates.set("y", 1)))
						.isInstanceOfSatisfying(MongoException.class,
								(ex) -> assertThat(ex.hasErrorLabel("TransientTransactionError")).isTrue());
				}
				finally {
					failPoint(frontConnectionStrings, "off", null);
				}
				assertThatThrownBy(session::commitTransaction).isInstanceOfSatisfying(MongoException.class,
						(ex) -> assertThat(ex.getCode()).isEqualTo(251));
			}
			assertThat(seen.countDocuments()).isZero();
		}
	}

	private static void failPoint(List<String> frontConnectionStrings, Object mode, Document data) {
		for (String front : frontConnectionStrings) {
			try (MongoClient admin = MongoClients.create(front)) {
				Document command = new Document("configureFailPoint", "failCommand").append("mode", mode);
				if (data != null) {
					command.append("data", data);
				}
				admin.getDatabase("admin").runCommand(command);
			}
		}
	}

}
