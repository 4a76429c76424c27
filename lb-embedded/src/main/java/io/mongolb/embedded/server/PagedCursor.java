package io.mongolb.embedded.server;

import java.util.List;

import de.bwaldvogel.mongo.backend.AbstractCursor;
import de.bwaldvogel.mongo.bson.Document;

/**
 * The rest of a result that did not fit its first batch ({@code aggregate},
 * {@code listCollections}, {@code listIndexes}), handed out by {@code getMore}. It lives
 * in the store's cursor registry like a {@code find} cursor, so that every front can
 * continue it and a front can kill it.
 */
final class PagedCursor extends AbstractCursor {

	private List<Document> remaining;

	PagedCursor(long id, List<Document> remaining) {
		super(id);
		this.remaining = remaining;
	}

	@Override
	public synchronized boolean isEmpty() {
		return this.remaining.isEmpty();
	}

	/**
	 * Takes the next batch.
	 * @param batchSize the batch size, 0 or less for all that remain (a {@code getMore}
	 * without {@code batchSize})
	 * @return the batch
	 */
	@Override
	public synchronized List<Document> takeDocuments(int batchSize) {
		int end = (batchSize <= 0) ? this.remaining.size() : Math.min(batchSize, this.remaining.size());
		List<Document> batch = List.copyOf(this.remaining.subList(0, end));
		this.remaining = this.remaining.subList(end, this.remaining.size());
		return batch;
	}

}
