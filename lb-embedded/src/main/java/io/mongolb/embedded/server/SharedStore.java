package io.mongolb.embedded.server;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Cursor;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DefaultQueryMatcher;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.CursorNotFoundException;
import de.bwaldvogel.mongo.exception.MongoServerError;
import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one in-memory store shared by every front of a cluster. On top of
 * mongo-java-server's memory backend it pages the results of {@code aggregate},
 * {@code listCollections} and {@code listIndexes} into real cursors, runs change streams
 * over its own capped {@link ChangeStreamHistory} (when enabled), checks query filters
 * whatever the data, answers the session commands mongos accepts, reports the version the
 * advertised {@code maxWireVersion} stands for, and answers the errors a client causes (a
 * missing namespace, an unknown cursor, a bad filter) without logging them as server
 * errors. It holds the cluster's {@link Transactions}.
 */
final class SharedStore extends MemoryBackend {

	private static final Logger logger = LoggerFactory.getLogger(SharedStore.class);

	/** mongod's default size of a first batch of {@code aggregate} (and {@code find}). */
	static final int DEFAULT_BATCH_SIZE = 101;

	static final int CHANGE_STREAMS_OFF = 40573;

	static final String CHANGE_STREAMS_OFF_MESSAGE = "The $changeStream stage is only supported on replica sets: "
			+ "change streams are off in the embedded load-balanced MongoDB (mongolb-embedded). Turn them on with "
			+ "mongodb.load-balanced.embedded.change-streams=true, EmbeddedLoadBalancedMongo.builder()"
			+ ".changeStreams(true) or @EmbeddedLoadBalancedMongoTest(changeStreams = true)";

	private final Transactions transactions;

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

	private final @Nullable ChangeStreamHistory history;

	SharedStore(EmbeddedLoadBalancedMongoSettings settings) {
		version(new ServerVersionTable(settings.maxWireVersion()));
		if (settings.changeStreams()) {
			this.history = new ChangeStreamHistory(settings.changeStreamHistory(), this::lookUp);
			this.oplog = this.history;
			logger.info("Change streams on: the store keeps the last {} change events", settings.changeStreamHistory());
		}
		else {
			this.history = null;
		}
		this.transactions = new Transactions(this, settings);
	}

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

	/**
	 * Returns the change-stream history, {@code null} when change streams are off.
	 * @return the history
	 */
	@Nullable ChangeStreamHistory changeStreamHistory() {
		return this.history;
	}

	/**
	 * Returns an open change stream.
	 * @param cursorId a cursor id
	 * @return the change stream, {@code null} if the cursor is not an open change stream
	 */
	@Nullable ChangeStreamCursor changeStream(long cursorId) {
		try {
			return (getCursorRegistry().getCursor(cursorId) instanceof ChangeStreamCursor stream) ? stream : null;
		}
		catch (CursorNotFoundException ex) {
			return null;
		}
	}

	@Override
	public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
		try {
			Document answer = answer(channel, databaseName, command, query);
			return (answer != null) ? answer : super.handleCommand(channel, databaseName, command, query);
		}
		catch (CursorNotFoundException | ClientError ex) {
			// What the client caused, answered as mongos answers it: no server error
			// logged.
			return error(ex.getCode(), ex.getCodeName(), ex.getMessageWithoutErrorCode());
		}
	}

	/*
	 * The commands answered here, or null for those the memory backend answers as it is.
	 */
	private @Nullable Document answer(Channel channel, String databaseName, String command, Document query) {
		if (command.equalsIgnoreCase("aggregate")) {
			return aggregate(channel, databaseName, command, query);
		}
		if (command.equals("listCollections") || command.equals("listIndexes")) {
			int batchSize = batchSize(query, -1);
			Document reply = super.handleCommand(channel, databaseName, command, query);
			if (command.equals("listCollections") && query.get("filter") instanceof Document filter
					&& !filter.isEmpty()) {
				keepMatching(reply, filter);
			}
			return page(reply, batchSize);
		}
		if (command.equals("find") || command.equals("count")) {
			return QueryChecks.check(query.get(command.equals("find") ? "filter" : "query"));
		}
		if (command.equals("drop") && query.get("drop") instanceof String collection
				&& !collectionExists(databaseName, collection)) {
			// mongo-java-server throws here, and its wire handler logs that as an ERROR
			// with a stack trace. mongos answers ok: 1 (SERVER-36317, "works as
			// designed"), and mongod does too since SERVER-43894.
			return ok(new Document());
		}
		if (command.equals("killAllSessions") || command.equals("killSessions")) {
			// As on mongod: the sessions' in-progress transactions are aborted.
			List<String> aborted = this.transactions
				.killSessions(command.equals("killSessions") ? sessionIds(query.get("killSessions")) : null, command);
			if (!aborted.isEmpty()) {
				logger.info("{}: aborted in-progress transactions {}", command, aborted);
			}
			return ok(new Document());
		}
		if (command.equals("endSessions") || command.equals("refreshSessions")) {
			// Nothing to end: a session's open transaction ends with its lifetime limit.
			return ok(new Document());
		}
		return null;
	}

	private @Nullable Document aggregate(Channel channel, String databaseName, String command, Document query) {
		if (query.get("pipeline") instanceof List<?> stages && !stages.isEmpty()) {
			if (stages.get(0) instanceof Document first && first.get("$changeStream") instanceof Document spec) {
				return openChangeStream(databaseName, query, spec, stages.subList(1, stages.size()));
			}
			for (Object stage : stages) {
				if (stage instanceof Document document && document.containsKey("$match")) {
					Document error = QueryChecks.check(document.get("$match"));
					if (error != null) {
						return error;
					}
				}
			}
		}
		if (query.containsKey("explain")) {
			return null;
		}
		int batchSize = batchSize(query, DEFAULT_BATCH_SIZE);
		Document whole = query;
		if (query.get("cursor") instanceof Document cursor && !cursor.isEmpty()) {
			// The batch size is applied here: the memory backend would only warn that
			// it ignores it.
			whole = new Document(query);
			whole.put("cursor", new Document());
		}
		return page(super.handleCommand(channel, databaseName, command, whole), batchSize);
	}

	/*
	 * The batch size a cursor-opening command asks for (cursor.batchSize), the default
	 * without one (-1: all at once).
	 */
	private static int batchSize(Document query, int defaultBatchSize) {
		if (query.get("cursor") instanceof Document cursor && cursor.get("batchSize") instanceof Number number) {
			if (number.intValue() < 0) {
				throw new ClientError(2, "BadValue", "cursor.batchSize must not be negative, was " + number);
			}
			return number.intValue();
		}
		return defaultBatchSize;
	}

	/*
	 * Keeps the first batchSize documents of a complete first batch and puts the rest
	 * behind a cursor of the store, which getMore continues.
	 */
	private Document page(Document reply, int batchSize) {
		if (batchSize < 0 || !(reply.get("cursor") instanceof Document cursor)
				|| !(cursor.get("firstBatch") instanceof List<?> firstBatch) || firstBatch.size() <= batchSize
				|| !(cursor.get("id") instanceof Number id) || id.longValue() != 0) {
			return reply;
		}
		@SuppressWarnings("unchecked")
		List<Document> documents = (List<Document>) firstBatch;
		PagedCursor rest = new PagedCursor(getCursorRegistry().generateCursorId(),
				new ArrayList<>(documents.subList(batchSize, documents.size())));
		getCursorRegistry().add(rest);
		cursor.put("id", rest.getId());
		cursor.put("firstBatch", new ArrayList<>(documents.subList(0, batchSize)));
		return reply;
	}

	private static void keepMatching(Document reply, Document filter) {
		if (reply.get("cursor") instanceof Document cursor && cursor.get("firstBatch") instanceof List<?> firstBatch) {
			DefaultQueryMatcher matcher = new DefaultQueryMatcher();
			cursor.put("firstBatch",
					firstBatch.stream()
						.filter((description) -> matcher.matches((Document) description, filter))
						.toList());
		}
	}

	@Override
	protected Document handleGetMore(String databaseName, String command, Document query) {
		try {
			long cursorId = ((Number) query.get(command)).longValue();
			Cursor cursor = getCursorRegistry().getCursor(cursorId);
			Number batchSize = (Number) query.get("batchSize");
			if (cursor instanceof ChangeStreamCursor stream) {
				return changeStreamBatch(stream, "nextBatch", (batchSize != null) ? batchSize.intValue() : 0);
			}
			if (batchSize == null || batchSize.intValue() <= 0) {
				// A getMore without batchSize takes what is left (the memory backend's
				// find cursors refuse 0).
				Document all = new Document(query);
				all.put("batchSize", Integer.MAX_VALUE);
				return super.handleGetMore(databaseName, command, all);
			}
			return super.handleGetMore(databaseName, command, query);
		}
		catch (MongoServerError ex) {
			return error(ex.getCode(), ex.getCodeName(), ex.getMessageWithoutErrorCode());
		}
	}

	private Document openChangeStream(String databaseName, Document query, Document spec, List<?> stages) {
		ChangeStreamHistory current = this.history;
		if (current == null) {
			return error(CHANGE_STREAMS_OFF, "Location40573", CHANGE_STREAMS_OFF_MESSAGE);
		}
		String collection = (query.get("aggregate") instanceof String name) ? name : null;
		boolean cluster = Boolean.TRUE.equals(spec.get("allChangesForCluster"));
		if (cluster && (!databaseName.equals("admin") || collection != null)) {
			return error(ErrorCodes.INVALID_OPTIONS, "InvalidOptions",
					"A $changeStream with 'allChangesForCluster:true' may only be opened on the 'admin' database, "
							+ "and with no collection name");
		}
		if (!cluster
				&& (databaseName.equals("admin") || databaseName.equals("config") || databaseName.equals("local"))) {
			return error(ErrorCodes.INVALID_NAMESPACE, "InvalidNamespace", "$changeStream may not be opened on the "
					+ "internal " + databaseName + " database"
					+ (databaseName.equals("admin")
							? ": for the whole cluster, use {$changeStream: {allChangesForCluster: true}} on admin"
							: ""));
		}
		long position;
		try {
			position = startPosition(current, spec);
		}
		catch (IllegalArgumentException ex) {
			return error(ErrorCodes.BAD_VALUE, "BadValue", ex.getMessage());
		}
		List<Document> rest = new ArrayList<>();
		for (Object stage : stages) {
			rest.add((Document) stage);
		}
		Aggregation aggregation = rest.isEmpty() ? null : Aggregation.fromPipeline(rest, this::resolveDatabase,
				resolveDatabase(databaseName), null, this.oplog);
		String namespace = (collection != null) ? databaseName + "." + collection : databaseName + ".$cmd.aggregate";
		Object fullDocument = spec.get("fullDocument");
		boolean updateLookup = fullDocument != null && !"default".equals(fullDocument);
		ChangeStreamCursor stream = new ChangeStreamCursor(getCursorRegistry().generateCursorId(), current,
				cluster ? null : databaseName, collection, namespace, aggregation, updateLookup, this::lookUp,
				position);
		getCursorRegistry().add(stream);
		return changeStreamBatch(stream, "firstBatch", batchSize(query, DEFAULT_BATCH_SIZE));
	}

	private static long startPosition(ChangeStreamHistory history, Document spec) {
		Object token = (spec.get("startAfter") != null) ? spec.get("startAfter") : spec.get("resumeAfter");
		if (token != null) {
			long position = ChangeStreamCursor.position(token);
			history.requireKept(position);
			return position;
		}
		if (spec.get("startAtOperationTime") instanceof BsonTimestamp time) {
			long position = history.positionBefore(time);
			history.requireKept(position);
			return position;
		}
		return history.last();
	}

	private Document changeStreamBatch(ChangeStreamCursor stream, String batchName, int batchSize) {
		List<Document> batch;
		try {
			batch = stream.takeDocuments(batchSize);
		}
		catch (MongoServerError ex) {
			getCursorRegistry().remove(stream);
			throw new ClientError(ex.getCode(), ex.getCodeName(), ex.getMessageWithoutErrorCode());
		}
		long id = stream.getId();
		if (stream.isEmpty()) {
			getCursorRegistry().remove(stream);
			id = 0;
		}
		Document cursor = new Document("id", id);
		cursor.put("ns", stream.namespace());
		cursor.put(batchName, batch);
		cursor.put("postBatchResumeToken", stream.resumeToken());
		Document reply = new Document("cursor", cursor);
		ChangeStreamHistory current = this.history;
		if (current != null) {
			reply.put("operationTime", current.clusterTime());
		}
		return ok(reply);
	}

	/*
	 * A document by namespace and _id, for change events (updateLookup, replace).
	 */
	private @Nullable Document lookUp(String namespace, Object id) {
		int dot = namespace.indexOf('.');
		String databaseName = namespace.substring(0, dot);
		if (!listDatabaseNames().contains(databaseName)) {
			return null;
		}
		MongoCollection<?> collection = resolveDatabase(databaseName).resolveCollection(namespace.substring(dot + 1),
				false);
		if (collection == null) {
			return null;
		}
		return collection.handleQueryAsStream(new Document("_id", id)).findFirst().orElse(null);
	}

	private boolean collectionExists(String databaseName, String collection) {
		return listDatabaseNames().contains(databaseName)
				&& resolveDatabase(databaseName).resolveCollection(collection, false) != null;
	}

	static Document ok(Document document) {
		document.put("ok", 1.0);
		return document;
	}

	static Document error(int code, @Nullable String codeName, String message) {
		Document error = new Document("ok", 0.0);
		error.put("errmsg", message);
		error.put("code", code);
		if (codeName != null) {
			error.put("codeName", codeName);
		}
		return error;
	}

	/*
	 * The session ids ({@code id} of each {@code lsid}) a {@code killSessions} names.
	 */
	private static Set<Object> sessionIds(@Nullable Object sessions) {
		Set<Object> ids = new HashSet<>();
		if (sessions instanceof List<?> list) {
			for (Object session : list) {
				if (session instanceof Document lsid && lsid.get("id") != null) {
					ids.add(lsid.get("id"));
				}
			}
		}
		return ids;
	}

	/**
	 * An error a client's command causes, answered without logging.
	 */
	static final class ClientError extends MongoServerError {

		private static final long serialVersionUID = 1L;

		ClientError(int code, @Nullable String codeName, String message) {
			super(code, codeName, message);
		}

	}

	/** The error codes answered here. */
	static final class ErrorCodes {

		static final int BAD_VALUE = 2;

		static final int INVALID_OPTIONS = 72;

		static final int INVALID_NAMESPACE = 73;

		private ErrorCodes() {
		}

	}

}
