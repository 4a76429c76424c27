package io.mongolb.embedded.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Nothing waits without bound: a transaction is aborted at the end of its lifetime, and a
 * write outside it to a collection it holds waits at most the configured time (short
 * values here, configured through the builder).
 */
@ExtendWith(OutputCaptureExtension.class)
class TransactionBoundsTests {

	private static final Duration LIFETIME = Duration.ofMillis(800);

	private static final Duration BLOCKED_WRITE_TIMEOUT = Duration.ofMillis(400);

	/** A short transaction lifetime. */
	private static EmbeddedLoadBalancedMongo shortLived;

	/** A short bound on blocked writes. */
	private static EmbeddedLoadBalancedMongo impatient;

	/** A long bound on blocked writes. */
	private static EmbeddedLoadBalancedMongo patient;

	@BeforeAll
	static void start() {
		shortLived = EmbeddedLoadBalancedMongo.builder().fronts(1).transactionLifetimeLimit(LIFETIME).start();
		impatient = EmbeddedLoadBalancedMongo.builder().blockedWriteTimeout(BLOCKED_WRITE_TIMEOUT).start();
		patient = EmbeddedLoadBalancedMongo.builder().blockedWriteTimeout(Duration.ofSeconds(20)).start();
	}

	@AfterAll
	static void stop() {
		shortLived.close();
		impatient.close();
		patient.close();
	}

	@Test
	void transactionIsAbortedAtTheEndOfItsLifetime(CapturedOutput output) {
		try (MongoClient client = MongoClients.create(shortLived.getConnectionString())) {
			MongoCollection<Document> items = client.getDatabase("lifetime").getCollection("items");
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				items.insertOne(session, new Document("_id", 1));
				long started = System.nanoTime();
				await().atMost(Duration.ofSeconds(10))
					.until(() -> shortLived.transactions().status().get("currentActive").equals(0L));
				assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
				assertThatThrownBy(() -> items.insertOne(session, new Document("_id", 2)))
					.isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
						assertThat(ex.getErrorCode()).isEqualTo(251);
						assertThat(ex.getErrorCodeName()).isEqualTo("NoSuchTransaction");
						assertThat(ex.getErrorMessage()).contains("lifetime limit");
						assertThat(ex.hasErrorLabel("TransientTransactionError")).isTrue();
					});
				session.abortTransaction();
			}
			assertThat(items.countDocuments()).isZero();
			// The collection is free again: an ordinary write does not wait.
			items.insertOne(new Document("_id", 3));
		}
		assertThat(output).contains("because it has been running for longer than the transaction lifetime limit");
	}

	@Test
	void writeOutsideATransactionWaitsAtMostTheBoundThenFailsClearly() {
		try (MongoClient client = MongoClients.create(impatient.getConnectionString())) {
			MongoCollection<Document> items = client.getDatabase("blocked").getCollection("items");
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				items.insertOne(session, new Document("_id", "in-transaction"));
				long started = System.nanoTime();
				assertThatThrownBy(() -> items.insertOne(new Document("_id", "outside")))
					.isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
						assertThat(ex.getErrorCode()).isEqualTo(24);
						assertThat(ex.getErrorCodeName()).isEqualTo("LockTimeout");
						assertThat(ex.getErrorMessage()).contains("blocked.items")
							.contains("mongodb.load-balanced.embedded.blocked-write-timeout")
							.contains("transaction 1 of session");
					});
				Duration waited = Duration.ofNanos(System.nanoTime() - started);
				assertThat(waited).isGreaterThanOrEqualTo(BLOCKED_WRITE_TIMEOUT).isLessThan(Duration.ofSeconds(5));
				// Other collections are not held.
				client.getDatabase("blocked").getCollection("other").insertOne(new Document("_id", 1));
				session.commitTransaction();
			}
			assertThat(items.find().into(new ArrayList<>())).containsExactly(new Document("_id", "in-transaction"));
		}
	}

	@Test
	void blockedWriteRunsOnceTheTransactionCommits() throws Exception {
		try (MongoClient client = MongoClients.create(patient.getConnectionString());
				MongoClient other = MongoClients.create(patient.getConnectionString())) {
			MongoCollection<Document> items = client.getDatabase("waits").getCollection("items");
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				items.insertOne(session, new Document("_id", 1).append("n", 1));
				CompletableFuture<Void> outside = CompletableFuture.runAsync(() -> other.getDatabase("waits")
					.getCollection("items")
					.updateOne(new Document("_id", 1), new Document("$inc", new Document("n", 10))));
				// It waits for the transaction (and the rest of its front stays usable).
				await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !outside.isDone());
				assertThat(client.getDatabase("waits").getCollection("elsewhere").countDocuments()).isZero();
				session.commitTransaction();
				outside.get(10, TimeUnit.SECONDS);
			}
			// The write ran after the commit, on the committed document.
			assertThat(items.find().first().getInteger("n")).isEqualTo(11);
		}
	}

	@Test
	void maxTimeMsShorterThanTheBoundEndsTheWaitWithMaxTimeMsExpired() {
		try (MongoClient client = MongoClients.create(patient.getConnectionString())) {
			MongoCollection<Document> items = client.getDatabase("maxTime").getCollection("items");
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				items.insertOne(session, new Document("_id", 1));
				assertThatThrownBy(() -> client.getDatabase("maxTime")
					.runCommand(new Document("insert", "items").append("documents", List.of(new Document("_id", 2)))
						.append("maxTimeMS", 200)))
					.isInstanceOfSatisfying(MongoExecutionTimeoutException.class,
							(ex) -> assertThat(ex.getCode()).isEqualTo(50));
				session.abortTransaction();
			}
			assertThat(items.countDocuments()).isZero();
		}
	}

}
