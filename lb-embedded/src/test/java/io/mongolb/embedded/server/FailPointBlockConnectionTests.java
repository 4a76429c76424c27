package io.mongolb.embedded.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoOperationTimeoutException;
import com.mongodb.MongoSocketReadException;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.WriteConcern;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import io.mongolb.embedded.support.RecordingListener;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code blockConnection} with {@code blockTimeMS}, through the real driver and the
 * in-process balancer. The cluster runs on a single I/O thread, shared by both fronts,
 * the balancer and every connection: a block that held the thread would hold every other
 * connection too, which the first test would see.
 */
class FailPointBlockConnectionTests {

	private static final long BLOCK_MILLIS = 1000;

	private EmbeddedLoadBalancedMongo mongo;

	@BeforeEach
	void start() {
		this.mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).eventLoopThreads(1).start();
	}

	@AfterEach
	void close() {
		this.mongo.close();
	}

	/*
	 * Configures the same fail point on every front: the balancer may send the connection
	 * to either.
	 */
	private void configureAll(Object mode, Document data) {
		for (int front = 0; front < this.mongo.getFrontCount(); front++) {
			try (MongoClient admin = MongoClients.create(this.mongo.getFrontConnectionString(front))) {
				admin.getDatabase("admin")
					.runCommand(new Document("configureFailPoint", "failCommand").append("mode", mode)
						.append("data", data));
			}
		}
	}

	private MongoClient client(String appName, Consumer<MongoClientSettings.Builder> customizer) {
		MongoClientSettings.Builder builder = MongoClientSettings.builder()
			.applyConnectionString(new ConnectionString(this.mongo.getConnectionString() + "&appName=" + appName))
			.applyToClusterSettings((cluster) -> cluster.serverSelectionTimeout(5, TimeUnit.SECONDS));
		customizer.accept(builder);
		return MongoClients.create(builder.build());
	}

	private static Document blockFind(String appName) {
		return new Document("failCommands", List.of("find")).append("blockConnection", true)
			.append("blockTimeMS", BLOCK_MILLIS)
			.append("appName", appName);
	}

	@Test
	void blocksTheMatchingCommandForBlockTimeAndNoOtherConnection() throws Exception {
		RecordingListener blockedEvents = new RecordingListener();
		CountDownLatch blockedSent = new CountDownLatch(1);
		CommandListener onFind = new CommandListener() {
			@Override
			public void commandStarted(CommandStartedEvent event) {
				if (event.getCommandName().equals("find")) {
					blockedSent.countDown();
				}
			}
		};
		ExecutorService executor = Executors.newSingleThreadExecutor();
		try (MongoClient blocked = client("blocked",
				(settings) -> settings.addCommandListener(blockedEvents).addCommandListener(onFind));
				MongoClient other = client("other", (settings) -> {
				})) {
			MongoCollection<Document> items = blocked.getDatabase("block").getCollection("items");
			MongoCollection<Document> otherItems = other.getDatabase("block").getCollection("items");
			items.insertOne(new Document("_id", 1));
			// Both clients have their connections (and handshakes) before the block.
			otherItems.find().first();
			configureAll(new Document("times", 1), blockFind("blocked"));

			long startedAt = System.nanoTime();
			CompletableFuture<Document> blockedFind = CompletableFuture.supplyAsync(() -> items.find().first(),
					executor);
			assertThat(blockedSent.await(10, TimeUnit.SECONDS)).isTrue();
			// While the find is held, the other client's commands, on the same I/O
			// thread, go on at their usual pace.
			List<Long> otherMillis = new ArrayList<>();
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
			while (!blockedFind.isDone() && System.nanoTime() < deadline) {
				long before = System.nanoTime();
				assertThat(otherItems.find(Filters.eq("_id", 1)).first()).isNotNull();
				otherMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before));
			}
			long blockedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt);
			assertThat(blockedFind.get(10, TimeUnit.SECONDS)).containsEntry("_id", 1);
			assertThat(blockedMillis).isGreaterThanOrEqualTo(BLOCK_MILLIS);
			assertThat(blockedEvents.succeeded).filteredOn((event) -> event.getCommandName().equals("find"))
				.singleElement()
				.satisfies((event) -> assertThat(event.getElapsedTime(TimeUnit.MILLISECONDS))
					.isGreaterThanOrEqualTo(BLOCK_MILLIS));
			assertThat(otherMillis).as("the other client's finds during the block").hasSizeGreaterThan(3);
			assertThat(otherMillis).allSatisfy((millis) -> assertThat(millis).isLessThan(BLOCK_MILLIS * 3 / 4));

			// times: 1 is used up on the front that held it: the next find of the same
			// connection is not held.
			long before = System.nanoTime();
			assertThat(items.find().first()).isNotNull();
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)).isLessThan(BLOCK_MILLIS);
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void messagesSentBehindAHeldCommandKeepTheirOrder() {
		configureAll(new Document("times", 1),
				new Document("failCommands", List.of("insert")).append("blockConnection", true)
					.append("blockTimeMS", 300)
					.append("appName", "ordered"));
		// One connection: the unacknowledged insert and update are sent without waiting,
		// the find behind them.
		try (MongoClient client = client("ordered",
				(settings) -> settings.applyToConnectionPoolSettings((pool) -> pool.maxSize(1)))) {
			MongoCollection<Document> items = client.getDatabase("block").getCollection("ordered");
			MongoCollection<Document> fireAndForget = items.withWriteConcern(WriteConcern.UNACKNOWLEDGED);
			long before = System.nanoTime();
			fireAndForget.insertOne(new Document("_id", 1).append("v", "first"));
			fireAndForget.updateOne(Filters.eq("_id", 1), Updates.set("v", "second"));
			Document found = items.find(Filters.eq("_id", 1)).first();
			long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
			// Had the update overtaken the held insert, it would have matched nothing.
			assertThat(found).containsEntry("v", "second");
			assertThat(millis).as("the find waited behind the held insert").isGreaterThanOrEqualTo(300);
		}
	}

	@Test
	void socketTimeoutShorterThanTheBlockTimesOutAndTheFrontsGoOn() {
		configureAll("alwaysOn", blockFind("impatient"));
		try (MongoClient client = client("impatient",
				(settings) -> settings.applyToSocketSettings((socket) -> socket.readTimeout(200, TimeUnit.MILLISECONDS))
					.retryReads(false))) {
			MongoCollection<Document> items = client.getDatabase("block").getCollection("items");
			long before = System.nanoTime();
			assertThatThrownBy(() -> items.find().first()).isInstanceOf(MongoSocketReadTimeoutException.class);
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)).isLessThan(BLOCK_MILLIS);
			configureAll("alwaysOn",
					new Document("failCommands", List.of("ping")).append("errorCode", 2).append("appName", "nobody"));
			// The connection closed during the block is gone; a new one works.
			assertThat(items.find().first()).isNull();
		}
	}

	@Test
	void timeoutMsShorterThanTheBlockTimesOut() {
		configureAll("alwaysOn", blockFind("csot"));
		try (MongoClient client = client("csot",
				(settings) -> settings.timeout(300, TimeUnit.MILLISECONDS).retryReads(false))) {
			MongoCollection<Document> items = client.getDatabase("block").getCollection("items");
			items.insertOne(new Document("_id", 1));
			long before = System.nanoTime();
			assertThatThrownBy(() -> items.find().first()).isInstanceOf(MongoOperationTimeoutException.class);
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)).isLessThan(BLOCK_MILLIS);
		}
	}

	@Test
	void blockThenErrorCode() {
		configureAll("alwaysOn",
				new Document("failCommands", List.of("count")).append("blockConnection", true)
					.append("blockTimeMS", 300)
					.append("errorCode", 2)
					.append("appName", "late-error"));
		try (MongoClient client = client("late-error", (settings) -> {
		})) {
			long before = System.nanoTime();
			assertThatThrownBy(() -> client.getDatabase("block").runCommand(new Document("count", "items")))
				.isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
					assertThat(ex.getErrorCode()).isEqualTo(2);
					assertThat(ex.getErrorMessage()).contains("Failing command via 'failCommand' failpoint");
				});
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)).isGreaterThanOrEqualTo(300);
		}
	}

	@Test
	void blockThenCloseConnection() {
		configureAll("alwaysOn",
				new Document("failCommands", List.of("count")).append("blockConnection", true)
					.append("blockTimeMS", 300)
					.append("closeConnection", true)
					.append("appName", "late-close"));
		try (MongoClient client = client("late-close", (settings) -> settings.retryReads(false))) {
			long before = System.nanoTime();
			assertThatThrownBy(() -> client.getDatabase("block").runCommand(new Document("count", "items")))
				.isInstanceOf(MongoSocketReadException.class);
			assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)).isGreaterThanOrEqualTo(300);
		}
	}

	@Test
	void blockConnectionWithoutBlockTimeIsRefused() {
		try (MongoClient admin = MongoClients.create(this.mongo.getFrontConnectionString(0))) {
			for (Object blockTime : new Object[] { null, -1 }) {
				Document data = new Document("failCommands", List.of("find")).append("blockConnection", true);
				if (blockTime != null) {
					data.append("blockTimeMS", blockTime);
				}
				assertThatThrownBy(() -> admin.getDatabase("admin")
					.runCommand(new Document("configureFailPoint", "failCommand").append("mode", "alwaysOn")
						.append("data", data)))
					.isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
						assertThat(ex.getErrorCode()).isEqualTo(72);
						assertThat(ex.getErrorMessage()).contains("blockTimeMS");
					});
			}
		}
	}

}
