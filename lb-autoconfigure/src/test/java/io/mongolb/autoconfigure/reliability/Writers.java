package io.mongolb.autoconfigure.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.mongodb.MongoException;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import org.bson.Document;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writer threads that insert documents with unique ids and remember which inserts were
 * acknowledged, when inserts failed and the slowest insert.
 */
final class Writers implements AutoCloseable {

	private final MongoCollection<Document> collection;

	private final List<Thread> threads = new ArrayList<>();

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();

	private final AtomicInteger acknowledgedCount = new AtomicInteger();

	private final AtomicInteger failed = new AtomicInteger();

	private final AtomicLong firstFailureStart = new AtomicLong(Long.MAX_VALUE);

	private final AtomicLong lastFailureEnd = new AtomicLong(Long.MIN_VALUE);

	private final AtomicLong slowestNanos = new AtomicLong();

	private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();

	Writers(MongoCollection<Document> collection, int count, String prefix) {
		this.collection = collection;
		for (int t = 0; t < count; t++) {
			String name = prefix + "-" + t;
			Thread thread = new Thread(() -> write(name), "writer-" + name);
			thread.setDaemon(true);
			this.threads.add(thread);
		}
		this.threads.forEach(Thread::start);
	}

	private void write(String name) {
		for (long i = 0; this.running.get(); i++) {
			String id = name + "-" + i;
			long start = System.nanoTime();
			try {
				this.collection.insertOne(new Document("_id", id));
				long took = System.nanoTime() - start;
				this.slowestNanos.accumulateAndGet(took, Math::max);
				this.acknowledged.add(id);
				this.acknowledgedCount.incrementAndGet();
			}
			catch (MongoException ex) {
				long end = System.nanoTime();
				this.slowestNanos.accumulateAndGet(end - start, Math::max);
				this.failed.incrementAndGet();
				this.firstFailureStart.accumulateAndGet(start, Math::min);
				this.lastFailureEnd.accumulateAndGet(end, Math::max);
				if (this.errors.size() < 5) {
					this.errors.add(ex.getClass().getSimpleName() + ": " + ex.getMessage());
				}
				// A back-off after a failure, so that a refused connection does not spin
				// a
				// core (the machine has two).
				LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
			}
		}
	}

	int acknowledged() {
		return this.acknowledgedCount.get();
	}

	int failed() {
		return this.failed.get();
	}

	/**
	 * From the start of the first failed insert to the end of the last one.
	 * @return the error window, zero when no insert failed
	 */
	Duration errorWindow() {
		long first = this.firstFailureStart.get();
		return (first == Long.MAX_VALUE) ? Duration.ZERO : Duration.ofNanos(this.lastFailureEnd.get() - first);
	}

	Duration slowest() {
		return Duration.ofNanos(this.slowestNanos.get());
	}

	List<String> errors() {
		return new ArrayList<>(this.errors);
	}

	/**
	 * Stops the writers and waits for them.
	 */
	void stop() throws InterruptedException {
		this.running.set(false);
		for (Thread thread : this.threads) {
			thread.join(TimeUnit.SECONDS.toMillis(30));
			assertThat(thread.isAlive()).as("writer %s stopped", thread.getName()).isFalse();
		}
	}

	/**
	 * Reads every acknowledged id back.
	 * @return how many acknowledged inserts are not in the collection
	 */
	int lost() {
		Set<String> stored = new HashSet<>();
		this.collection.find(Filters.exists("_id"))
			.projection(Projections.include("_id"))
			.batchSize(10_000)
			.forEach((document) -> stored.add(document.getString("_id")));
		int lost = 0;
		for (String id : this.acknowledged) {
			if (!stored.contains(id)) {
				lost++;
			}
		}
		return lost;
	}

	@Override
	public void close() {
		this.running.set(false);
	}

}
