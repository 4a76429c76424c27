package io.mongolb.embedded.server;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BiFunction;

import de.bwaldvogel.mongo.backend.Cursor;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.oplog.Oplog;
import org.jspecify.annotations.Nullable;

/**
 * The store's change-stream history, built here in place of mongo-java-server's oplog
 * (which keeps every write in a collection that grows without bound and is scanned whole
 * on every read): a ring of the last {@code capacity} change events, numbered from 1. A
 * change stream remembers the number of the last event it has seen and reads on from
 * there, so a read costs the events it returns, not the history. Memory is bounded by the
 * capacity; a change stream whose position has dropped out of the ring gets error 286
 * {@code ChangeStreamHistoryLost}, as on a replica set whose oplog rolled over.
 * <p>
 * The store calls the {@link Oplog} methods on every write, from the writer's thread;
 * waiting {@code getMore}s register a one-shot wake-up that runs after the next event.
 */
final class ChangeStreamHistory implements Oplog {

	static final int HISTORY_LOST = 286;

	private final ChangeEvent[] ring;

	private final BiFunction<String, Object, @Nullable Document> postImages;

	private final Queue<Runnable> wakeUps = new ConcurrentLinkedQueue<>();

	/** The number of the newest event, 0 before the first. Guarded by this. */
	private long last;

	/** The seconds of the newest cluster time, which never go back. Guarded by this. */
	private int lastSeconds;

	/**
	 * Creates an empty history.
	 * @param capacity the number of events kept
	 * @param postImages looks a document up by namespace and {@code _id} after an update
	 */
	ChangeStreamHistory(int capacity, BiFunction<String, Object, @Nullable Document> postImages) {
		this.ring = new ChangeEvent[capacity];
		this.postImages = postImages;
	}

	@Override
	public void handleInsert(String namespace, List<Document> documents) {
		if (ignored(namespace)) {
			return;
		}
		for (Document document : documents) {
			append(namespace, "insert", document.get("_id"), document.cloneDeeply(), null);
		}
		wakeUp();
	}

	@Override
	public void handleUpdate(String namespace, Document selector, Document update, List<Object> modifiedIds) {
		if (ignored(namespace) || modifiedIds.isEmpty()) {
			return;
		}
		boolean replacement = update.keySet().stream().noneMatch((key) -> key.startsWith("$"));
		for (Object id : modifiedIds) {
			Document postImage = this.postImages.apply(namespace, id);
			if (replacement) {
				append(namespace, "replace", id, (postImage != null) ? postImage.cloneDeeply() : null, null);
			}
			else {
				append(namespace, "update", id, null, updateDescription(update, postImage));
			}
		}
		wakeUp();
	}

	/*
	 * What an update changed, as mongod describes it: the new values of the fields the
	 * update operators name (read from the document after the update) and the fields
	 * $unset removed.
	 */
	private static Document updateDescription(Document update, @Nullable Document postImage) {
		Document updatedFields = new Document();
		List<String> removedFields = new ArrayList<>();
		update.forEach((operator, fields) -> {
			if (!(fields instanceof Document named)) {
				return;
			}
			for (String field : named.keySet()) {
				if (operator.equals("$unset")) {
					removedFields.add(field);
				}
				else if (operator.equals("$set") || postImage == null) {
					updatedFields.put(field, named.get(field));
				}
				else {
					updatedFields.put(field, valueAt(postImage, field));
				}
			}
		});
		return new Document("updatedFields", updatedFields).append("removedFields", removedFields)
			.append("truncatedArrays", List.of());
	}

	private static @Nullable Object valueAt(Document document, String path) {
		Object current = document;
		for (String part : path.split("\\.")) {
			if (!(current instanceof Document level)) {
				return null;
			}
			current = level.get(part);
		}
		return current;
	}

	@Override
	public void handleDelete(String namespace, Document query, List<Object> deletedIds) {
		if (ignored(namespace) || deletedIds.isEmpty()) {
			return;
		}
		for (Object id : deletedIds) {
			append(namespace, "delete", id, null, null);
		}
		wakeUp();
	}

	@Override
	public void handleDropCollection(String namespace) {
		if (ignored(namespace)) {
			return;
		}
		append(namespace, "drop", null, null, null);
		wakeUp();
	}

	/**
	 * Not used: the store opens change streams itself ({@link SharedStore}).
	 */
	@Override
	public Cursor createCursor(Document changeStreamDocument, String namespace, Aggregation aggregation) {
		throw new MongoServerError(40573, "The embedded store opens change streams through SharedStore");
	}

	/*
	 * mongod keeps no change events for its internal databases and system collections.
	 */
	private static boolean ignored(String namespace) {
		return namespace.startsWith("admin.") || namespace.startsWith("config.") || namespace.startsWith("local.")
				|| namespace.contains(".system.");
	}

	private synchronized void append(String namespace, String operationType, @Nullable Object id,
			@Nullable Document fullDocument, @Nullable Document updateDescription) {
		int dot = namespace.indexOf('.');
		long sequence = ++this.last;
		Instant now = Instant.now();
		this.lastSeconds = Math.max(this.lastSeconds, (int) now.getEpochSecond());
		// The cluster time orders like the sequence: seconds that never go back, and
		// the sequence as the increment.
		BsonTimestamp clusterTime = new BsonTimestamp(((long) this.lastSeconds << 32) | (sequence & 0xFFFFFFFFL));
		this.ring[slot(sequence)] = new ChangeEvent(sequence, namespace.substring(0, dot), namespace.substring(dot + 1),
				operationType, id, fullDocument, updateDescription, clusterTime, now);
	}

	private int slot(long sequence) {
		return (int) (sequence % this.ring.length);
	}

	private void wakeUp() {
		// Only the wake-ups registered before this event: one that registers again
		// (its stream did not match this event) waits for the next event.
		for (int i = this.wakeUps.size(); i > 0; i--) {
			Runnable wakeUp = this.wakeUps.poll();
			if (wakeUp == null) {
				return;
			}
			wakeUp.run();
		}
	}

	/**
	 * Registers a one-shot wake-up, run (on the writer's thread) after the next event.
	 * @param wakeUp what to run; it must only hand work to another thread
	 */
	void onNextEvent(Runnable wakeUp) {
		this.wakeUps.add(wakeUp);
	}

	/**
	 * Forgets a wake-up that has not run.
	 * @param wakeUp the wake-up
	 */
	void forget(Runnable wakeUp) {
		this.wakeUps.remove(wakeUp);
	}

	/**
	 * Returns the number of the newest event.
	 * @return the number, 0 before the first event
	 */
	synchronized long last() {
		return this.last;
	}

	/**
	 * Returns the events after a position, oldest first.
	 * @param position the number of the last event already seen
	 * @param max the most events to return
	 * @return the events
	 * @throws MongoServerError 286 if events after the position are no longer kept
	 */
	synchronized List<ChangeEvent> after(long position, int max) {
		requireKept(position);
		int count = (int) Math.min(max, this.last - position);
		List<ChangeEvent> events = new ArrayList<>(Math.max(count, 0));
		for (long sequence = position + 1; sequence <= position + count; sequence++) {
			events.add(this.ring[slot(sequence)]);
		}
		return events;
	}

	/**
	 * Checks that the events after a position are still kept.
	 * @param position the number of the last event seen
	 * @throws MongoServerError 286 if they are not
	 */
	synchronized void requireKept(long position) {
		long oldest = Math.max(1, this.last - this.ring.length + 1);
		if (position + 1 < oldest) {
			throw new MongoServerError(HISTORY_LOST, "ChangeStreamHistoryLost",
					"Resume of change stream was not possible, as the resume point may no longer be in the oplog: "
							+ "the embedded store keeps the last " + this.ring.length
							+ " change events (changeStreamHistory)");
		}
	}

	/**
	 * Returns the position just before the first event at or after a cluster time, for
	 * {@code startAtOperationTime}.
	 * @param time the cluster time
	 * @return the position
	 */
	synchronized long positionBefore(BsonTimestamp time) {
		long oldest = Math.max(1, this.last - this.ring.length + 1);
		for (long sequence = oldest; sequence <= this.last; sequence++) {
			if (this.ring[slot(sequence)].clusterTime().compareTo(time) >= 0) {
				return sequence - 1;
			}
		}
		return this.last;
	}

	/**
	 * Returns the cluster time of the newest event, or of now when there is none.
	 * @return the cluster time
	 */
	synchronized BsonTimestamp clusterTime() {
		if (this.last == 0) {
			return new BsonTimestamp(Instant.now(), 0);
		}
		return this.ring[slot(this.last)].clusterTime();
	}

	int capacity() {
		return this.ring.length;
	}

	/**
	 * Returns how many events the history holds now.
	 * @return at most the capacity
	 */
	synchronized int kept() {
		return (int) Math.min(this.last, this.ring.length);
	}

}
