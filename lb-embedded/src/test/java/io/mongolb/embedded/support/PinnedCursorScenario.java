package io.mongolb.embedded.support;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.ConnectionCheckedInEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionPoolListener;
import org.bson.Document;
import org.bson.types.ObjectId;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cursors pinned to their connection in load-balanced mode, as the driver's load-balancer
 * spec describes them, written for this project: a cursor opened with a small batch size
 * keeps its connection checked out while it is open, every {@code getMore} (and the
 * {@code killCursors} of a close) goes over that connection, and the connection is
 * checked in once the cursor is exhausted or closed. Shared by the in-process balancer
 * and the real HAProxy tests.
 */
public final class PinnedCursorScenario {

	/** The kind of cursor. */
	public enum Kind {

		/** {@code find}. */
		FIND,

		/** {@code aggregate}. */
		AGGREGATE,

		/** {@code listCollections}. */
		LIST_COLLECTIONS,

		/** {@code listIndexes}. */
		LIST_INDEXES,

		/** {@code aggregate [{$changeStream: {}}]}, closed by the client. */
		CHANGE_STREAM

	}

	/** The number of documents, collections and indexes each listing pages over. */
	public static final int SIZE = 7;

	private PinnedCursorScenario() {
	}

	/**
	 * Creates what the cursors page over, in database {@code pinned}: {@code SIZE}
	 * documents in {@code items}, indexes on it (with {@code _id}'s) and collections.
	 * @param connectionString a connection string with loadBalanced=true
	 */
	public static void prepare(String connectionString) {
		try (MongoClient client = MongoClients.create(connectionString)) {
			MongoDatabase database = client.getDatabase("pinned");
			MongoCollection<Document> items = database.getCollection("items");
			if (items.countDocuments() > 0) {
				return;
			}
			List<Document> documents = new ArrayList<>();
			for (int i = 0; i < SIZE; i++) {
				documents.add(new Document("_id", i).append("n", i));
			}
			items.insertMany(documents);
			for (int i = 1; i < SIZE; i++) {
				items.createIndex(Indexes.ascending("f" + i));
				database.getCollection("other" + i).insertOne(new Document("_id", i));
			}
		}
	}

	/**
	 * Opens a cursor of the given kind with batch size 2, reads it to its end (or, for a
	 * change stream, reads three events and closes it) and asserts the pinning.
	 * @param connectionString a connection string with loadBalanced=true
	 * @param kind the kind of cursor
	 * @param serviceIds the serviceIds of the fronts behind the balancer
	 */
	public static void run(String connectionString, Kind kind, List<ObjectId> serviceIds) {
		List<String> events = new CopyOnWriteArrayList<>();
		List<CommandStartedEvent> commands = new CopyOnWriteArrayList<>();
		CommandListener commandListener = new CommandListener() {
			@Override
			public void commandStarted(CommandStartedEvent event) {
				commands.add(event);
				events.add(event.getCommandName() + ":"
						+ event.getConnectionDescription().getConnectionId().getLocalValue());
			}
		};
		ConnectionPoolListener poolListener = new ConnectionPoolListener() {
			@Override
			public void connectionCheckedOut(ConnectionCheckedOutEvent event) {
				events.add("out:" + event.getConnectionId().getLocalValue());
			}

			@Override
			public void connectionCheckedIn(ConnectionCheckedInEvent event) {
				events.add("in:" + event.getConnectionId().getLocalValue());
			}
		};
		try (MongoClient client = MongoClients.create(MongoClientSettings.builder()
			.applyConnectionString(new ConnectionString(connectionString))
			.addCommandListener(commandListener)
			.applyToConnectionPoolSettings((pool) -> pool.addConnectionPoolListener(poolListener))
			.applyToClusterSettings((cluster) -> cluster.serverSelectionTimeout(5, TimeUnit.SECONDS))
			.build()); MongoClient writer = MongoClients.create(connectionString)) {
			MongoDatabase database = client.getDatabase("pinned");
			MongoCollection<Document> items = database.getCollection("items");
			List<Object> read = new ArrayList<>();
			String opening;
			long pinned;
			int open;
			switch (kind) {
				case FIND -> {
					opening = "find";
					try (MongoCursor<Document> cursor = items.find()
						.sort(new Document("_id", 1))
						.batchSize(2)
						.iterator()) {
						read.add(cursor.next().get("_id"));
						pinned = pinnedConnection(commands, opening);
						open = events.size();
						cursor.forEachRemaining((document) -> read.add(document.get("_id")));
					}
					assertThat(read).containsExactly(0, 1, 2, 3, 4, 5, 6);
				}
				case AGGREGATE -> {
					opening = "aggregate";
					try (MongoCursor<Document> cursor = items
						.aggregate(
								List.of(Aggregates.match(Filters.gte("n", 0)), Aggregates.sort(new Document("_id", 1))))
						.batchSize(2)
						.iterator()) {
						read.add(cursor.next().get("_id"));
						pinned = pinnedConnection(commands, opening);
						open = events.size();
						cursor.forEachRemaining((document) -> read.add(document.get("_id")));
					}
					assertThat(read).containsExactly(0, 1, 2, 3, 4, 5, 6);
				}
				case LIST_COLLECTIONS -> {
					opening = "listCollections";
					try (MongoCursor<Document> cursor = database.listCollections().batchSize(2).iterator()) {
						read.add(cursor.next().get("name"));
						pinned = pinnedConnection(commands, opening);
						open = events.size();
						cursor.forEachRemaining((document) -> read.add(document.get("name")));
					}
					assertThat(read).hasSizeGreaterThanOrEqualTo(SIZE).contains("items", "other1", "other6");
				}
				case LIST_INDEXES -> {
					opening = "listIndexes";
					try (MongoCursor<Document> cursor = items.listIndexes().batchSize(2).iterator()) {
						read.add(cursor.next().get("name"));
						pinned = pinnedConnection(commands, opening);
						open = events.size();
						cursor.forEachRemaining((document) -> read.add(document.get("name")));
					}
					assertThat(read).hasSize(SIZE).contains("_id_", "f1_1", "f6_1");
				}
				default -> {
					opening = "aggregate";
					MongoCollection<Document> watched = database.getCollection("watched");
					try (MongoCursor<ChangeStreamDocument<Document>> cursor = watched.watch()
						.batchSize(2)
						.maxAwaitTime(100, TimeUnit.MILLISECONDS)
						.cursor()) {
						pinned = pinnedConnection(commands, opening);
						open = events.size();
						MongoCollection<Document> written = writer.getDatabase("pinned").getCollection("watched");
						for (int i = 0; i < 3; i++) {
							ObjectId id = new ObjectId();
							written.insertOne(new Document("_id", id));
							ChangeStreamDocument<Document> change = cursor.next();
							assertThat(change.getOperationTypeString()).isEqualTo("insert");
							assertThat(change.getDocumentKey().getObjectId("_id").getValue()).isEqualTo(id);
							read.add(id);
						}
					}
					assertThat(read).hasSize(3);
				}
			}
			String connection = ":" + pinned;
			List<String> afterOpen = events.subList(open, events.size());
			int checkedIn = afterOpen.indexOf("in" + connection);
			assertThat(checkedIn).as("connection %d checked in after the cursor is done: %s", pinned, events)
				.isNotNegative();
			// Until then, only the cursor's own getMore (and killCursors) ran on it.
			List<String> whileOpen = afterOpen.subList(0, checkedIn);
			assertThat(whileOpen).as("events while the %s cursor was open: %s", kind, events)
				.isNotEmpty()
				.allSatisfy((event) -> assertThat(event).matches("(getMore|killCursors)" + connection))
				.contains("getMore" + connection);
			if (kind == Kind.CHANGE_STREAM) {
				assertThat(whileOpen).last().isEqualTo("killCursors" + connection);
			}
			assertThat(commands).filteredOn((event) -> event.getCommandName().equals("getMore"))
				.allSatisfy((event) -> assertThat(event.getConnectionDescription().getServiceId())
					.isEqualTo(serviceIdOf(commands, opening))
					.isIn(serviceIds));
		}
	}

	/*
	 * The connection the opening command ran on: checked out before it, not checked in
	 * since.
	 */
	private static long pinnedConnection(List<CommandStartedEvent> commands, String opening) {
		CommandStartedEvent event = commands.stream()
			.filter((command) -> command.getCommandName().equals(opening))
			.reduce((first, second) -> second)
			.orElseThrow();
		return event.getConnectionDescription().getConnectionId().getLocalValue();
	}

	private static ObjectId serviceIdOf(List<CommandStartedEvent> commands, String opening) {
		return commands.stream()
			.filter((command) -> command.getCommandName().equals(opening))
			.reduce((first, second) -> second)
			.orElseThrow()
			.getConnectionDescription()
			.getServiceId();
	}

}
