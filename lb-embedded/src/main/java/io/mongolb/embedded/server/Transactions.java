package io.mongolb.embedded.server;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.StampedLock;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.exception.MongoServerException;
import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multi-document transactions of one store, whichever front their statements reach. A
 * transaction is keyed, as on mongod, by its session ({@code lsid.id}) and
 * {@code txnNumber}; it starts with the statement that carries
 * {@code startTransaction: true}, runs every statement marked {@code autocommit: false}
 * against private copies of the collections it touches, and ends with
 * {@code commitTransaction} (the written collections are copied back into the store, all
 * under the store's exclusive lock) or {@code abortTransaction} (the copies are dropped).
 * <p>
 * Isolation: each collection is copied at the transaction's first touch of it (a snapshot
 * per collection, not one for the whole transaction as on mongod); the first write to a
 * collection takes its write lock, which fails with {@code WriteConflict} (112, labelled
 * {@code TransientTransactionError}, and the transaction is aborted as on mongod) when
 * another transaction holds it or the collection changed since the copy. Conflicts are
 * per collection, not per document. Writes outside a transaction to a locked collection
 * wait until the transaction ends, at most
 * {@link EmbeddedLoadBalancedMongoSettings#blockedWriteTimeout()}. A transaction open for
 * longer than {@link EmbeddedLoadBalancedMongoSettings#transactionLifetimeLimit()} is
 * aborted.
 * <p>
 * Lock order: a transaction's monitor, then the store lock, then this object's monitor;
 * none is held while waiting for a blocked write.
 */
final class Transactions {

	private static final Logger logger = LoggerFactory.getLogger(Transactions.class);

	static final String TRANSIENT_TRANSACTION_ERROR = "TransientTransactionError";

	static final int WRITE_CONFLICT = 112;

	static final int NO_SUCH_TRANSACTION = 251;

	static final int LOCK_TIMEOUT = 24;

	static final int MAX_TIME_MS_EXPIRED = 50;

	static final int OPERATION_NOT_SUPPORTED_IN_TRANSACTION = 263;

	private static final int INVALID_OPTIONS = 72;

	private static final int TRANSACTION_COMMITTED = 256;

	private static final int TRANSACTION_TOO_OLD = 225;

	private static final int CONFLICTING_OPERATION_IN_PROGRESS = 117;

	private final SharedStore store;

	private final Duration lifetimeLimit;

	private final Duration blockedWriteTimeout;

	/**
	 * Held shared by every command that runs on the store itself, exclusively while a
	 * transaction copies a collection or commits: readers never see half a commit.
	 */
	private final StampedLock storeLock = new StampedLock();

	// The fields below are guarded by this object's monitor.

	private final Map<Object, Session> sessions = new HashMap<>();

	private final Set<TransactionState> active = new LinkedHashSet<>();

	/** Namespace ({@code db.collection}) to the transaction holding its write lock. */
	private final Map<String, TransactionState> writeLocks = new HashMap<>();

	/** Namespace to the number of changes made to it while transactions were open. */
	private final Map<String, Long> versions = new HashMap<>();

	/** Namespace to the number of writes outside transactions running on it now. */
	private final Map<String, Integer> inFlight = new HashMap<>();

	/** Database to the number of {@code dropDatabase} commands running on it now. */
	private final Map<String, Integer> inFlightDatabases = new HashMap<>();

	/** Namespace to the blocked writes to wake when its write lock is released. */
	private final Map<String, List<Runnable>> waiting = new HashMap<>();

	private long started;

	private long committed;

	private long aborted;

	private volatile int activeCount;

	Transactions(SharedStore store, EmbeddedLoadBalancedMongoSettings settings) {
		this.store = store;
		this.lifetimeLimit = settings.transactionLifetimeLimit();
		this.blockedWriteTimeout = settings.blockedWriteTimeout();
	}

	/**
	 * Returns whether a command is a statement of a transaction: it carries
	 * {@code autocommit} or {@code startTransaction}, as the drivers send them.
	 * @param command the command
	 * @return whether it belongs to a transaction
	 */
	static boolean isTransactionStatement(Document command) {
		return command.containsKey("autocommit") || command.containsKey("startTransaction");
	}

	Duration blockedWriteTimeout() {
		return this.blockedWriteTimeout;
	}

	long lockShared() {
		return this.storeLock.readLock();
	}

	void unlockShared(long stamp) {
		this.storeLock.unlockRead(stamp);
	}

	/**
	 * Returns whether a transaction is open (writes outside transactions are tracked only
	 * then). Read while holding the store lock shared.
	 * @return whether any transaction is active
	 */
	boolean anyActive() {
		return this.activeCount > 0;
	}

	/**
	 * Runs a statement of a transaction ({@code autocommit: false}), its commit or its
	 * abort.
	 * @param channel the connection's channel
	 * @param connection the front connection it arrived on
	 * @param database the database the command names
	 * @param name the command name
	 * @param command the command
	 * @return the reply, or {@code null} when the command is to run on the store itself
	 * (a {@code getMore} or {@code killCursors} of a cursor the transaction opened)
	 */
	@Nullable Document statement(Channel channel, ConnectionState connection, String database, String name, Document command) {
		TransactionState transaction;
		try {
			transaction = resolve(channel, connection, name, command);
		}
		catch (MongoServerError ex) {
			return error(ex, transientLabel(ex.getCode()));
		}
		synchronized (transaction) {
			transaction.connectionIds.add(connection.connectionId);
			boolean commit = name.equals("commitTransaction");
			boolean abort = name.equals("abortTransaction");
			if (transaction.phase == TransactionState.Phase.COMMITTED) {
				if (commit) {
					// A retried commit of a committed transaction succeeds again, as on
					// mongod.
					return ok(new Document());
				}
				return error(new MongoServerError(TRANSACTION_COMMITTED, "TransactionCommitted",
						"Transaction " + transaction.txnNumber + " has been committed."), false);
			}
			if (transaction.phase == TransactionState.Phase.ABORTED) {
				return error(
						new MongoServerError(NO_SUCH_TRANSACTION, "NoSuchTransaction",
								"Transaction with { txnNumber: " + transaction.txnNumber + " } has been aborted"
										+ ((transaction.abortReason != null) ? ": " + transaction.abortReason : "")),
						true);
			}
			if (commit) {
				return commit(transaction);
			}
			if (abort) {
				abort(transaction, "aborted by abortTransaction");
				return ok(new Document());
			}
			try {
				return run(transaction, channel, database, name, command);
			}
			catch (RuntimeException ex) {
				// A bug, not the application's error: say so, and leave nothing half
				// done.
				logger.warn("'{}' in {} failed unexpectedly; the transaction is aborted", name, transaction.describe(),
						ex);
				abort(transaction, "a statement failed unexpectedly: " + ex);
				return error(new MongoServerError(1, "InternalError",
						"'" + name + "' failed in the embedded load-balanced MongoDB: " + ex), false);
			}
		}
	}

	private TransactionState resolve(Channel channel, ConnectionState connection, String name, Document command) {
		if (!(command.get("lsid") instanceof Document lsid) || lsid.get("id") == null
				|| !(command.get("txnNumber") instanceof Number number)) {
			throw new MongoServerError(INVALID_OPTIONS, "InvalidOptions",
					"'autocommit' and 'startTransaction' require a session (lsid) and a txnNumber");
		}
		if (!Boolean.FALSE.equals(command.get("autocommit"))) {
			throw new MongoServerError(INVALID_OPTIONS, "InvalidOptions",
					"A statement of a transaction must carry 'autocommit: false', was " + command.get("autocommit"));
		}
		Object sessionId = lsid.get("id");
		long txnNumber = number.longValue();
		boolean start = Utils.isTrue(command.get("startTransaction"));
		TransactionState superseded = null;
		TransactionState transaction;
		synchronized (this) {
			Session session = this.sessions.computeIfAbsent(sessionId, (id) -> new Session());
			if (start) {
				if (txnNumber < session.txnNumber) {
					throw new MongoServerError(TRANSACTION_TOO_OLD, "TransactionTooOld",
							"Cannot start transaction " + txnNumber + " on session " + sessionId + ": transaction "
									+ session.txnNumber + " has already started");
				}
				if (txnNumber == session.txnNumber) {
					throw new MongoServerError(CONFLICTING_OPERATION_IN_PROGRESS, "ConflictingOperationInProgress",
							"Transaction " + txnNumber + " on session " + sessionId + " has already started");
				}
				if (session.current != null && session.current.phase == TransactionState.Phase.ACTIVE) {
					superseded = session.current;
				}
				transaction = new TransactionState(sessionId, txnNumber, connection, this.store.cursors());
				session.txnNumber = txnNumber;
				session.current = transaction;
				this.active.add(transaction);
				this.activeCount = this.active.size();
				this.started++;
			}
			else {
				transaction = session.current;
				if (transaction == null || txnNumber != session.txnNumber) {
					throw new MongoServerError(NO_SUCH_TRANSACTION, "NoSuchTransaction",
							"Given transaction number " + txnNumber + " does not match any in-progress transactions"
									+ ((session.txnNumber >= 0)
											? ". The active transaction number is " + session.txnNumber : ""));
				}
			}
		}
		if (superseded != null) {
			abort(superseded, "a newer transaction started on its session");
		}
		if (start) {
			TransactionState begun = transaction;
			transaction.lifetimeTimer = channel.eventLoop()
				.schedule(() -> expire(begun), this.lifetimeLimit.toNanos(), TimeUnit.NANOSECONDS);
		}
		return transaction;
	}

	private void expire(TransactionState transaction) {
		if (abort(transaction, "it ran longer than the transaction lifetime limit (" + this.lifetimeLimit
				+ ", as mongod's transactionLifetimeLimitSeconds)")) {
			logger.info(
					"Aborting {} because it has been running for longer than the transaction lifetime limit "
							+ "({}, mongod's transactionLifetimeLimitSeconds)",
					transaction.describe(), this.lifetimeLimit);
		}
	}

	/*
	 * Runs one statement on the transaction's private copies. Holds the transaction's
	 * monitor.
	 */
	private Document run(TransactionState transaction, Channel channel, String database, String name,
			Document command) {
		List<String> collections = new ArrayList<>();
		boolean write;
		switch (name) {
			case "getMore", "killCursors" -> {
				// The cursor is in the store's registry, its documents already taken from
				// the copies.
				return null;
			}
			case "insert", "update", "delete", "findAndModify" -> write = true;
			case "find", "aggregate", "distinct" -> write = false;
			case "count" -> {
				return failStatement(transaction, new MongoServerError(OPERATION_NOT_SUPPORTED_IN_TRANSACTION,
						"OperationNotSupportedInTransaction", "Cannot run 'count' in a multi-document transaction, "
								+ "as on mongod: use countDocuments (an aggregate), which is supported"));
			}
			default -> {
				return failStatement(transaction,
						new MongoServerError(OPERATION_NOT_SUPPORTED_IN_TRANSACTION,
								"OperationNotSupportedInTransaction", "Cannot run '" + name
										+ "' in a multi-document transaction on the embedded load-balanced MongoDB"));
			}
		}
		if (!(command.get(name) instanceof String collection)) {
			return failStatement(transaction, new MongoServerError(OPERATION_NOT_SUPPORTED_IN_TRANSACTION,
					"OperationNotSupportedInTransaction", "'" + name + "' in a transaction must name a collection"));
		}
		collections.add(collection);
		if (name.equals("aggregate")) {
			MongoServerError refused = pipelineCollections(command, collections);
			if (refused != null) {
				return failStatement(transaction, refused);
			}
		}
		try {
			for (String each : collections) {
				snapshot(transaction, channel, database, each);
			}
			if (write) {
				lockForWrite(transaction, database + "." + collection);
			}
		}
		catch (MongoServerError ex) {
			abort(transaction, ex.getMessageWithoutErrorCode());
			return error(ex, true);
		}
		Document reply;
		try {
			reply = transaction.privateStore.handleCommand(channel, database, name, command);
		}
		catch (MongoServerException ex) {
			return failStatement(transaction, ex);
		}
		if (reply.get("writeErrors") instanceof List<?> errors && !errors.isEmpty()) {
			// As on mongod, a failed statement aborts its transaction.
			abort(transaction, "a statement failed: " + errors.get(0));
		}
		return reply;
	}

	private Document failStatement(TransactionState transaction, MongoServerException ex) {
		abort(transaction, "a statement failed: " + ex.getMessageWithoutErrorCode());
		return error(ex, false);
	}

	/*
	 * Adds the collections an aggregate pipeline reads besides its own ($lookup,
	 * $graphLookup, $unionWith); refuses $out and $merge, as mongod does in a
	 * transaction.
	 */
	private static @Nullable MongoServerError pipelineCollections(Document command, List<String> collections) {
		if (!(command.get("pipeline") instanceof List<?> pipeline)) {
			return null;
		}
		for (Object item : pipeline) {
			if (!(item instanceof Document stage) || stage.isEmpty()) {
				continue;
			}
			String operator = stage.keySet().iterator().next();
			Object argument = stage.get(operator);
			switch (operator) {
				case "$out", "$merge" -> {
					return new MongoServerError(OPERATION_NOT_SUPPORTED_IN_TRANSACTION,
							"OperationNotSupportedInTransaction",
							operator + " cannot be used in a transaction, as on mongod");
				}
				case "$lookup", "$graphLookup" -> {
					if (argument instanceof Document arguments && arguments.get("from") instanceof String from) {
						collections.add(from);
					}
				}
				case "$unionWith" -> {
					if (argument instanceof String coll) {
						collections.add(coll);
					}
					else if (argument instanceof Document arguments && arguments.get("coll") instanceof String coll) {
						collections.add(coll);
					}
				}
				default -> {
				}
			}
		}
		return null;
	}

	/*
	 * Copies a collection into the transaction's private store at its first touch, under
	 * the store's exclusive lock (no write outside transactions runs meanwhile).
	 */
	private void snapshot(TransactionState transaction, Channel channel, String database, String collection) {
		String namespace = database + "." + collection;
		if (transaction.snapshotVersions.containsKey(namespace)) {
			return;
		}
		TransactionState.PrivateStore copies = transaction.privateStore;
		long stamp = this.storeLock.writeLock();
		try {
			MongoCollection<?> source = this.store.existingCollection(database, collection);
			if (source != null) {
				MongoDatabase target = copies.database(database);
				target.createCollectionOrThrowIfExists(collection);
				List<Document> indexes = new ArrayList<>();
				MongoCollection<?> indexCollection = this.store.existingCollection(database, "system.indexes");
				if (indexCollection != null) {
					for (Document index : indexCollection.handleQuery(new Document("ns", namespace))) {
						if (!"_id_".equals(index.get("name"))) {
							indexes.add(index.cloneDeeply());
						}
					}
				}
				if (!indexes.isEmpty()) {
					copies.handleCommand(channel, database, "createIndexes",
							new Document("createIndexes", collection).append("indexes", indexes));
				}
				List<Document> documents = new ArrayList<>();
				for (Document document : source.queryAll()) {
					documents.add(document.cloneDeeply());
				}
				if (!documents.isEmpty()) {
					target.resolveCollection(collection, true).insertDocuments(documents, true);
				}
			}
			synchronized (this) {
				transaction.snapshotVersions.put(namespace, this.versions.getOrDefault(namespace, 0L));
			}
		}
		finally {
			this.storeLock.unlockWrite(stamp);
		}
	}

	private synchronized void lockForWrite(TransactionState transaction, String namespace) {
		if (transaction.written.contains(namespace)) {
			return;
		}
		TransactionState holder = this.writeLocks.get(namespace);
		if (holder != null && holder != transaction) {
			throw writeConflict(namespace, "another transaction has written to it and is still open");
		}
		String database = namespace.substring(0, namespace.indexOf('.'));
		if (this.inFlight.getOrDefault(namespace, 0) > 0 || this.inFlightDatabases.getOrDefault(database, 0) > 0
				|| this.versions.getOrDefault(namespace, 0L) != transaction.snapshotVersions.get(namespace)) {
			throw writeConflict(namespace, "it was written outside this transaction since the transaction read it");
		}
		this.writeLocks.put(namespace, transaction);
		transaction.written.add(namespace);
	}

	private static MongoServerError writeConflict(String namespace, String why) {
		return new MongoServerError(WRITE_CONFLICT, "WriteConflict",
				"WriteConflict on '" + namespace + "': " + why + ". Retry the transaction.");
	}

	/*
	 * Commits: copies every written collection back into the store under the exclusive
	 * lock, then releases the write locks. All or nothing: if a copy fails, the written
	 * collections get their previous documents back and the transaction is aborted.
	 */
	private Document commit(TransactionState transaction) {
		List<Runnable> wake;
		long stamp = this.storeLock.writeLock();
		try {
			try {
				apply(transaction);
			}
			catch (RuntimeException ex) {
				abort(transaction, "its commit failed: " + ex);
				logger.warn("The commit of {} failed and was rolled back", transaction.describe(), ex);
				return error(new MongoServerError(NO_SUCH_TRANSACTION, "NoSuchTransaction",
						"The commit of transaction " + transaction.txnNumber + " failed and was rolled back: " + ex),
						true);
			}
			wake = finish(transaction, TransactionState.Phase.COMMITTED, null);
		}
		finally {
			this.storeLock.unlockWrite(stamp);
		}
		wake.forEach(Runnable::run);
		return ok(new Document());
	}

	/*
	 * Applies the difference between each written collection's copy and the store's
	 * collection, by _id: documents gone from the copy are deleted, changed ones
	 * replaced, new ones inserted; unchanged ones are left alone. On a failure, what was
	 * applied is undone.
	 */
	private void apply(TransactionState transaction) {
		List<Runnable> undo = new ArrayList<>();
		List<Runnable> changeEvents = new ArrayList<>();
		try {
			for (String namespace : transaction.written) {
				int dot = namespace.indexOf('.');
				String database = namespace.substring(0, dot);
				String collection = namespace.substring(dot + 1);
				MongoCollection<?> copy = transaction.privateStore.database(database)
					.resolveCollection(collection, false);
				if (copy == null) {
					continue;
				}
				MongoCollection<?> target = this.store.existingCollection(database, collection);
				if (target == null) {
					target = this.store.resolveDatabase(database).createCollectionOrThrowIfExists(collection);
				}
				applyDifference(copy, target, undo, changeEvents(namespace, changeEvents));
			}
		}
		catch (RuntimeException ex) {
			for (int i = undo.size() - 1; i >= 0; i--) {
				undo.get(i).run();
			}
			throw ex;
		}
		// Only once the whole commit is applied: change streams see all of it or none.
		changeEvents.forEach(Runnable::run);
	}

	/*
	 * Where a commit reports its writes for change streams (the store's write commands
	 * report theirs themselves; a commit writes through the collections): deletions,
	 * replacements and insertions of one namespace, or nothing when change streams are
	 * off.
	 */
	private @Nullable CommitEvents changeEvents(String namespace, List<Runnable> events) {
		ChangeStreamHistory history = this.store.changeStreamHistory();
		if (history == null) {
			return null;
		}
		return new CommitEvents() {

			@Override
			public void deleted(Object id) {
				events.add(() -> history.handleDelete(namespace, new Document(), List.of(id)));
			}

			@Override
			public void replaced(Document document) {
				events
					.add(() -> history.handleUpdate(namespace, new Document(), document, List.of(document.get("_id"))));
			}

			@Override
			public void inserted(List<Document> documents) {
				if (!documents.isEmpty()) {
					events.add(() -> history.handleInsert(namespace, documents));
				}
			}

		};
	}

	private static void applyDifference(MongoCollection<?> copy, MongoCollection<?> target, List<Runnable> undo,
			@Nullable CommitEvents events) {
		Map<Object, Document> mine = new LinkedHashMap<>();
		for (Document document : copy.queryAll()) {
			mine.put(document.get("_id"), document);
		}
		List<Document> current = new ArrayList<>();
		target.queryAll().forEach(current::add);
		for (Document theirs : current) {
			Object id = theirs.get("_id");
			Document changed = mine.remove(id);
			if (changed != null && changed.equals(theirs)) {
				continue;
			}
			// Each undo step is registered before its step, and tolerates a step that did
			// not happen.
			undo.add(() -> target.insertDocuments(List.of(theirs), true));
			target.deleteDocuments(new Document("_id", id), 1);
			if (changed != null) {
				undo.add(() -> target.deleteDocuments(new Document("_id", id), 1));
				insertAll(target, List.of(changed));
				if (events != null) {
					events.replaced(changed);
				}
			}
			else if (events != null) {
				events.deleted(id);
			}
		}
		List<Document> added = new ArrayList<>(mine.values());
		undo.add(
				() -> added.forEach((document) -> target.deleteDocuments(new Document("_id", document.get("_id")), 1)));
		insertAll(target, added);
		if (events != null) {
			events.inserted(added);
		}
	}

	private static void insertAll(MongoCollection<?> target, List<Document> documents) {
		if (documents.isEmpty()) {
			return;
		}
		List<Document> errors = target.insertDocuments(documents, true);
		if (!errors.isEmpty()) {
			throw new IllegalStateException("Copy into " + target.getFullName() + " failed: " + errors.get(0));
		}
	}

	/**
	 * Aborts a transaction if it is still active: drops its copies and releases its write
	 * locks.
	 * @param transaction the transaction
	 * @param reason why, for the message later statements get
	 * @return whether it was active
	 */
	boolean abort(TransactionState transaction, String reason) {
		List<Runnable> wake;
		synchronized (transaction) {
			if (transaction.phase != TransactionState.Phase.ACTIVE) {
				return false;
			}
			wake = finish(transaction, TransactionState.Phase.ABORTED, reason);
		}
		wake.forEach(Runnable::run);
		return true;
	}

	private synchronized List<Runnable> finish(TransactionState transaction, TransactionState.Phase phase,
			@Nullable String reason) {
		transaction.phase = phase;
		transaction.abortReason = reason;
		List<Runnable> wake = new ArrayList<>();
		for (String namespace : transaction.written) {
			this.writeLocks.remove(namespace, transaction);
			if (phase == TransactionState.Phase.COMMITTED) {
				this.versions.merge(namespace, 1L, Long::sum);
			}
			List<Runnable> blocked = this.waiting.remove(namespace);
			if (blocked != null) {
				wake.addAll(blocked);
			}
		}
		this.active.remove(transaction);
		this.activeCount = this.active.size();
		if (this.active.isEmpty()) {
			// No snapshot left to compare against.
			this.versions.clear();
		}
		if (phase == TransactionState.Phase.COMMITTED) {
			this.committed++;
		}
		else {
			this.aborted++;
		}
		if (transaction.lifetimeTimer != null) {
			transaction.lifetimeTimer.cancel(false);
		}
		// Dropped, not closed: closing only clears its databases, and logs at INFO.
		transaction.privateStore = null;
		return wake;
	}

	/**
	 * Aborts the in-progress transactions a load-balanced client started on a connection
	 * that is now closed, as mongos does.
	 * @param connection the closed connection
	 * @return the aborted transactions, described
	 */
	List<String> connectionClosed(ConnectionState connection) {
		if (!connection.loadBalanced) {
			return List.of();
		}
		List<TransactionState> owned = new ArrayList<>();
		synchronized (this) {
			if (this.active.isEmpty()) {
				return List.of();
			}
			for (TransactionState transaction : this.active) {
				if (transaction.origin == connection) {
					owned.add(transaction);
				}
			}
		}
		List<String> aborted = new ArrayList<>();
		for (TransactionState transaction : owned) {
			if (abort(transaction, "its load-balanced client disconnected")) {
				aborted.add(transaction.describe());
			}
		}
		return aborted;
	}

	/**
	 * Aborts the in-progress transactions of the given sessions, or of every session, as
	 * {@code killSessions} and {@code killAllSessions} do on mongod (driver test runners
	 * send {@code killAllSessions} between tests so that no transaction left open blocks
	 * the next test).
	 * @param sessionIds the session ids ({@code lsid.id}), or {@code null} for all
	 * @param command the command, for the reason later statements get
	 * @return the aborted transactions, described
	 */
	List<String> killSessions(@Nullable Set<Object> sessionIds, String command) {
		List<TransactionState> killed = new ArrayList<>();
		synchronized (this) {
			for (TransactionState transaction : this.active) {
				if (sessionIds == null || sessionIds.contains(transaction.sessionId)) {
					killed.add(transaction);
				}
			}
		}
		List<String> aborted = new ArrayList<>();
		for (TransactionState transaction : killed) {
			if (abort(transaction, "its session was killed by " + command)) {
				aborted.add(transaction.describe());
			}
		}
		return aborted;
	}

	/**
	 * Registers a write outside a transaction, unless one of its namespaces is locked by
	 * a transaction. Call with the store lock held shared and only when
	 * {@link #anyActive()}.
	 * @param database the database
	 * @param namespaces the namespaces written, or empty for a {@code dropDatabase}
	 * @return the locked namespace that blocks it, or {@code null} when registered (then
	 * call {@link #endOutsideWrite})
	 */
	synchronized @Nullable String beginOutsideWrite(String database, List<String> namespaces) {
		if (namespaces.isEmpty()) {
			String prefix = database + ".";
			for (String locked : this.writeLocks.keySet()) {
				if (locked.startsWith(prefix)) {
					return locked;
				}
			}
			this.inFlightDatabases.merge(database, 1, Integer::sum);
			return null;
		}
		for (String namespace : namespaces) {
			if (this.writeLocks.containsKey(namespace)) {
				return namespace;
			}
		}
		for (String namespace : namespaces) {
			this.inFlight.merge(namespace, 1, Integer::sum);
		}
		return null;
	}

	synchronized void endOutsideWrite(String database, List<String> namespaces) {
		if (namespaces.isEmpty()) {
			this.inFlightDatabases.computeIfPresent(database, (key, count) -> (count > 1) ? count - 1 : null);
			String prefix = database + ".";
			for (TransactionState transaction : this.active) {
				for (String namespace : transaction.snapshotVersions.keySet()) {
					if (namespace.startsWith(prefix)) {
						this.versions.merge(namespace, 1L, Long::sum);
					}
				}
			}
			return;
		}
		for (String namespace : namespaces) {
			this.inFlight.computeIfPresent(namespace, (key, count) -> (count > 1) ? count - 1 : null);
			if (!this.active.isEmpty()) {
				this.versions.merge(namespace, 1L, Long::sum);
			}
		}
	}

	/**
	 * Runs {@code wake} once the namespace's write lock is released (at once if it is
	 * free already).
	 * @param namespace the namespace
	 * @param wake what to run, on the releasing thread: it must only hand over
	 */
	void awaitRelease(String namespace, Runnable wake) {
		synchronized (this) {
			if (this.writeLocks.containsKey(namespace)) {
				this.waiting.computeIfAbsent(namespace, (key) -> new ArrayList<>()).add(wake);
				return;
			}
		}
		wake.run();
	}

	synchronized void cancelWait(String namespace, Runnable wake) {
		List<Runnable> blocked = this.waiting.get(namespace);
		if (blocked != null) {
			blocked.remove(wake);
			if (blocked.isEmpty()) {
				this.waiting.remove(namespace);
			}
		}
	}

	/**
	 * Describes the transaction holding a namespace's write lock, for a message.
	 * @param namespace the namespace
	 * @return the description, or {@code "a transaction"} when it is gone
	 */
	synchronized String holderOf(String namespace) {
		TransactionState holder = this.writeLocks.get(namespace);
		return (holder != null) ? holder.describe() : "a transaction";
	}

	/**
	 * Returns mongod's {@code serverStatus().transactions} figures.
	 * @return currentActive, totalStarted, totalCommitted, totalAborted
	 */
	synchronized Document status() {
		Document status = new Document();
		status.put("currentActive", (long) this.active.size());
		status.put("totalStarted", this.started);
		status.put("totalCommitted", this.committed);
		status.put("totalAborted", this.aborted);
		return status;
	}

	/**
	 * Returns the front connection ids the statements of a session's last transaction
	 * arrived on (for tests).
	 * @param sessionId the session id ({@code lsid.id})
	 * @return the connection ids, empty if unknown
	 */
	Set<Integer> connectionsOf(Object sessionId) {
		TransactionState transaction;
		synchronized (this) {
			Session session = this.sessions.get(sessionId);
			transaction = (session != null) ? session.current : null;
		}
		if (transaction == null) {
			return Set.of();
		}
		// Not under this object's monitor: a transaction's monitor comes first.
		synchronized (transaction) {
			return Set.copyOf(transaction.connectionIds);
		}
	}

	private static boolean transientLabel(int code) {
		return code == NO_SUCH_TRANSACTION || code == WRITE_CONFLICT;
	}

	static Document error(MongoServerException ex, boolean transientError) {
		Document error = new Document();
		error.put("ok", 0.0);
		error.put("errmsg", ex.getMessageWithoutErrorCode());
		if (ex instanceof MongoServerError serverError) {
			error.put("code", serverError.getCode());
			if (serverError.getCodeName() != null) {
				error.put("codeName", serverError.getCodeName());
			}
		}
		if (transientError) {
			error.put("errorLabels", List.of(TRANSIENT_TRANSACTION_ERROR));
		}
		return error;
	}

	private static Document ok(Document document) {
		document.put("ok", 1.0);
		return document;
	}

	/**
	 * The transactions of one session: the last {@code txnNumber} and its transaction.
	 */
	private static final class Session {

		private long txnNumber = -1;

		private @Nullable TransactionState current;

	}

	/**
	 * The change events of one namespace's part of a commit.
	 */
	private interface CommitEvents {

		void deleted(Object id);

		void replaced(Document document);

		void inserted(List<Document> documents);

	}

}
