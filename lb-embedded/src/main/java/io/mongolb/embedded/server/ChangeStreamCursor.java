package io.mongolb.embedded.server;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import de.bwaldvogel.mongo.backend.AbstractCursor;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import org.jspecify.annotations.Nullable;

/**
 * A change stream on a collection, a database or the cluster: a tailable cursor over the
 * store's {@link ChangeStreamHistory}, at the number of the last event it has read. Each
 * batch turns the events after that position that are in scope into change events, runs
 * them through the stages after {@code $changeStream} and moves the position on (also
 * past events the stages filtered out, so the {@code postBatchResumeToken} moves too). A
 * collection's change stream ends with an {@code invalidate} event after the collection's
 * {@code drop}.
 */
final class ChangeStreamCursor extends AbstractCursor {

	private static final int SCAN = 1_000;

	private final ChangeStreamHistory history;

	private final @Nullable String database;

	private final @Nullable String collection;

	private final String namespace;

	private final @Nullable Aggregation stages;

	private final boolean updateLookup;

	private final BiFunction<String, Object, @Nullable Document> lookup;

	private long position;

	private boolean invalidated;

	private boolean closed;

	/**
	 * Creates a change stream.
	 * @param id the cursor id
	 * @param history the history it reads
	 * @param database the database it watches, {@code null} for the cluster
	 * @param collection the collection it watches, {@code null} for a database or the
	 * cluster
	 * @param namespace the namespace its replies name
	 * @param stages the stages after {@code $changeStream}, if any
	 * @param updateLookup whether update events carry the current document
	 * ({@code fullDocument: "updateLookup"})
	 * @param lookup looks a document up by namespace and {@code _id}
	 * @param position the number of the last event not to return
	 */
	ChangeStreamCursor(long id, ChangeStreamHistory history, @Nullable String database, @Nullable String collection,
			String namespace, @Nullable Aggregation stages, boolean updateLookup,
			BiFunction<String, Object, @Nullable Document> lookup, long position) {
		super(id);
		this.history = history;
		this.database = database;
		this.collection = collection;
		this.namespace = namespace;
		this.stages = stages;
		this.updateLookup = updateLookup;
		this.lookup = lookup;
		this.position = position;
	}

	String namespace() {
		return this.namespace;
	}

	/**
	 * Whether the cursor has returned its last event ({@code invalidate}).
	 * @return {@code true} once closed
	 */
	@Override
	public synchronized boolean isEmpty() {
		return this.closed;
	}

	/**
	 * Whether events in scope are waiting (the stages may still filter them out): what a
	 * waiting {@code getMore} is woken for.
	 * @return {@code true} if a batch could have events now
	 */
	synchronized boolean hasEventsInScope() {
		if (this.closed || this.invalidated) {
			return true;
		}
		long last = this.history.last();
		if (last <= this.position) {
			return false;
		}
		try {
			for (ChangeEvent event : this.history.after(this.position, SCAN)) {
				if (inScope(event)) {
					return true;
				}
			}
		}
		catch (MongoServerError ex) {
			// The history lost the position: the getMore reports it at once.
			return true;
		}
		return last > this.position + SCAN;
	}

	/**
	 * Takes the next batch.
	 * @param batchSize the most events to return, 0 or less for no limit
	 * @return the change events
	 * @throws de.bwaldvogel.mongo.exception.MongoServerError 286 when the history no
	 * longer has the events after the position
	 */
	@Override
	public synchronized List<Document> takeDocuments(int batchSize) {
		int max = (batchSize <= 0) ? Integer.MAX_VALUE : batchSize;
		List<Document> batch = new ArrayList<>();
		if (this.closed) {
			return batch;
		}
		while (batch.size() < max) {
			if (this.invalidated) {
				batch.add(event(this.history.last(), "invalidate", null));
				this.closed = true;
				break;
			}
			List<ChangeEvent> events = this.history.after(this.position, SCAN);
			if (events.isEmpty()) {
				break;
			}
			for (ChangeEvent event : events) {
				if (batch.size() >= max) {
					break;
				}
				this.position = event.sequence();
				if (!inScope(event)) {
					continue;
				}
				Document change = toChange(event);
				if (this.stages != null) {
					this.stages.runStagesAsStream(Stream.of(change)).forEach(batch::add);
				}
				else {
					batch.add(change);
				}
				if (this.collection != null && event.operationType().equals("drop")) {
					this.invalidated = true;
					break;
				}
			}
		}
		return batch;
	}

	/**
	 * Returns the resume token of the cursor's position, sent as
	 * {@code postBatchResumeToken}.
	 * @return the token
	 */
	synchronized Document resumeToken() {
		return token(this.position);
	}

	static Document token(long sequence) {
		return new Document("_data", String.format("%016X", sequence));
	}

	/**
	 * Reads the position a resume token stands for.
	 * @param token a token this store gave out
	 * @return the number of the event it names
	 * @throws IllegalArgumentException if it is not such a token
	 */
	static long position(Object token) {
		if (token instanceof Document document && document.get("_data") instanceof String data) {
			try {
				return Long.parseUnsignedLong(data, 16);
			}
			catch (NumberFormatException ex) {
				// not one of ours: reported below
			}
		}
		throw new IllegalArgumentException("Invalid resume token " + token
				+ ": the embedded store's tokens are {_data: <hex event number>}, as its change events' _id");
	}

	private boolean inScope(ChangeEvent event) {
		if (this.database == null) {
			return true;
		}
		if (!this.database.equals(event.database())) {
			return false;
		}
		return this.collection == null || this.collection.equals(event.collection());
	}

	private Document toChange(ChangeEvent event) {
		Document change = event(event.sequence(), event.operationType(), event);
		change.put("ns", new Document("db", event.database()).append("coll", event.collection()));
		if (event.documentId() != null) {
			change.put("documentKey", new Document("_id", event.documentId()));
		}
		switch (event.operationType()) {
			case "insert", "replace" ->
				change.put("fullDocument", (event.fullDocument() != null) ? event.fullDocument().cloneDeeply() : null);
			case "update" -> {
				change.put("updateDescription", event.updateDescription().cloneDeeply());
				if (this.updateLookup) {
					change.put("fullDocument",
							this.lookup.apply(event.database() + "." + event.collection(), event.documentId()));
				}
			}
			default -> {
				// delete and drop carry no document
			}
		}
		return change;
	}

	private static Document event(long sequence, String operationType, @Nullable ChangeEvent event) {
		Document change = new Document("_id", token(sequence));
		change.put("operationType", operationType);
		if (event != null) {
			change.put("clusterTime", event.clusterTime());
			change.put("wallTime", event.wallTime());
		}
		return change;
	}

}
