package io.mongolb.embedded.server;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.exception.CursorNotFoundException;
import org.jspecify.annotations.Nullable;

/**
 * The one in-memory store shared by every front of a cluster. Adds what the fronts need
 * to know about cursors, and holds the cluster's {@link Transactions}.
 */
final class SharedStore extends MemoryBackend {

	private final Transactions transactions;

	SharedStore(EmbeddedLoadBalancedMongoSettings settings) {
		this.transactions = new Transactions(this, settings);
	}

	Transactions transactions() {
		return this.transactions;
	}

	/**
	 * Returns the store's cursor registry, which transactions share so that their cursors
	 * have ids unique in the store and continue with an ordinary {@code getMore}.
	 * @return the registry
	 */
	CursorRegistry cursors() {
		return getCursorRegistry();
	}

	/**
	 * Returns a collection if it exists, without creating its database.
	 * @param database the database name
	 * @param collection the collection name
	 * @return the collection, or {@code null}
	 */
	@Nullable MongoCollection<?> existingCollection(String database, String collection) {
		if (!listDatabaseNames().contains(database)) {
			return null;
		}
		return resolveDatabase(database).resolveCollection(collection, false);
	}

	/**
	 * How many times a front asked whether a cursor exists (tests check the bookkeeping
	 * stays cheap).
	 */
	private final AtomicLong cursorLookups = new AtomicLong();

	boolean cursorExists(long cursorId) {
		this.cursorLookups.incrementAndGet();
		try {
			getCursorRegistry().getCursor(cursorId);
			return true;
		}
		catch (CursorNotFoundException ex) {
			return false;
		}
	}

	/**
	 * Closes cursors.
	 * @param cursorIds the cursors to close
	 * @return those of them that were open
	 */
	List<Long> killCursors(List<Long> cursorIds) {
		return cursorIds.stream().filter(getCursorRegistry()::remove).toList();
	}

	long cursorLookups() {
		return this.cursorLookups.get();
	}

	int openCursorCount() {
		return getCursorRegistry().size();
	}

}
