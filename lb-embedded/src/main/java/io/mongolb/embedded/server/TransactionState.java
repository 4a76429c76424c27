package io.mongolb.embedded.server;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import org.jspecify.annotations.Nullable;

/**
 * One multi-document transaction, keyed as on mongod by its session ({@code lsid}) and
 * {@code txnNumber}. Its statements run against a private in-memory store that holds a
 * copy of each collection the transaction has touched (taken at its first touch, the
 * transaction's snapshot of that collection); {@link Transactions} copies the written
 * collections back into the shared store at commit, and drops the private store at abort.
 * <p>
 * Guarded by its own monitor: a statement, the commit, the abort at the end of its
 * lifetime and the abort at a disconnect each hold it.
 */
final class TransactionState {

	enum Phase {

		ACTIVE, COMMITTED, ABORTED

	}

	final Object sessionId;

	final long txnNumber;

	/**
	 * The front connection the transaction started on: when it is a load-balanced one,
	 * its disconnect aborts the transaction.
	 */
	final ConnectionState origin;

	final long startedNanos = System.nanoTime();

	/**
	 * The store version of each copied namespace ({@code db.collection}) when it was
	 * copied.
	 */
	final Map<String, Long> snapshotVersions = new HashMap<>();

	/**
	 * The namespaces this transaction holds the write lock of, in order of first write.
	 */
	final Set<String> written = new LinkedHashSet<>();

	/** The front connections its statements arrived on (one, when the driver pins). */
	final Set<Integer> connectionIds = new LinkedHashSet<>();

	Phase phase = Phase.ACTIVE;

	/** Why it was aborted, for the message of a later statement. */
	@Nullable String abortReason;

	@Nullable Future<?> lifetimeTimer;

	/** The private copies; {@code null} once committed or aborted. */
	@Nullable PrivateStore privateStore;

	TransactionState(Object sessionId, long txnNumber, ConnectionState origin, CursorRegistry sharedCursors) {
		this.sessionId = sessionId;
		this.txnNumber = txnNumber;
		this.origin = origin;
		this.privateStore = new PrivateStore(sharedCursors);
	}

	String describe() {
		return "transaction " + this.txnNumber + " of session " + this.sessionId;
	}

	/**
	 * The private in-memory store of one transaction. Its databases register their
	 * cursors in the shared store's registry, so that a cursor opened inside the
	 * transaction has an id unique in the store, is tracked by its front like any other,
	 * and is continued by an ordinary {@code getMore}.
	 */
	static final class PrivateStore extends MemoryBackend {

		private final CursorRegistry sharedCursors;

		private final Map<String, MongoDatabase> databases = new HashMap<>();

		PrivateStore(CursorRegistry sharedCursors) {
			this.sharedCursors = sharedCursors;
		}

		@Override
		public MemoryDatabase openOrCreateDatabase(String databaseName) {
			return new MemoryDatabase(databaseName, this.sharedCursors);
		}

		/**
		 * Returns a database of the copies, created at first use. Used only under the
		 * transaction's monitor; kept here rather than in the base class, which logs
		 * every database it creates at INFO (once per transaction would be noise).
		 * @param name the database name
		 * @return the database
		 */
		@Override
		public MongoDatabase resolveDatabase(String name) {
			return this.databases.computeIfAbsent(name, this::openOrCreateDatabase);
		}

		MongoDatabase database(String name) {
			return resolveDatabase(name);
		}

	}

}
