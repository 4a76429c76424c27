package io.mongolb.embedded.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import org.jspecify.annotations.Nullable;

/**
 * The {@code failCommand} fail point of one front, configured with
 * {@code configureFailPoint} as on mongos: {@code mode} is {@code "alwaysOn"},
 * {@code "off"}, {@code {times: n}} or {@code {skip: n}}; {@code data} holds
 * {@code failCommands}, {@code errorCode}, {@code closeConnection},
 * {@code blockConnection} with {@code blockTimeMS}, {@code writeConcernError},
 * {@code appName} and {@code errorLabels}. It applies to every command but
 * {@code configureFailPoint}, {@code hello} and {@code isMaster} included (the
 * application name of a connection is the one its first hello announces), matched by name
 * whether the front implements the command or not.
 * <p>
 * As on mongod and mongos, a command counts towards {@code times} and {@code skip} only
 * when the fail point would act on it: it is named in {@code failCommands}, its
 * connection's application name matches, and the data asks for something it can do to
 * that command ({@code writeConcernError} alone does nothing to a command that takes no
 * write concern). {@code {skip: n}} lets the first n such commands pass and then stays
 * on.
 */
final class FailPoint {

	static final String NAME = "failCommand";

	static final int INVALID_OPTIONS = 72;

	/**
	 * The commands that take a write concern, and so can get a {@code writeConcernError}
	 * ({@code aggregate} only with {@code $out} or {@code $merge}).
	 */
	private static final Set<String> WRITE_CONCERN_COMMANDS = Set.of("insert", "update", "delete", "findAndModify",
			"findandmodify", "create", "drop", "dropDatabase", "createIndexes", "dropIndexes", "renameCollection",
			"collMod", "commitTransaction", "abortTransaction");

	private Set<String> commands = Set.of();

	private boolean enabled;

	private long remaining = -1;

	private long skip;

	private @Nullable Integer errorCode;

	private boolean closeConnection;

	private long blockTimeMillis = -1;

	private @Nullable Document writeConcernError;

	private @Nullable String appName;

	private List<String> errorLabels = List.of();

	synchronized void configure(Document command) {
		Object name = command.get("configureFailPoint");
		if (!NAME.equals(name)) {
			throw new MongoServerError(2, "BadValue", "Cannot find fail point '" + name
					+ "': the embedded load-balanced MongoDB only has the '" + NAME + "' fail point");
		}
		Object mode = command.get("mode");
		if ("off".equals(mode)) {
			reset();
			return;
		}
		long times = -1;
		long skipFirst = 0;
		if ("alwaysOn".equals(mode)) {
			times = -1;
		}
		else if (mode instanceof Document modeDocument && modeDocument.size() == 1
				&& modeDocument.get("times") instanceof Number number && number.longValue() >= 0) {
			times = number.longValue();
		}
		else if (mode instanceof Document modeDocument && modeDocument.size() == 1
				&& modeDocument.get("skip") instanceof Number number && number.longValue() >= 0) {
			skipFirst = number.longValue();
		}
		else {
			throw new MongoServerError(2, "BadValue", "Unsupported fail point mode " + mode
					+ ": use \"alwaysOn\", \"off\", {times: n} or {skip: n} with n >= 0");
		}
		Document data = (command.get("data") instanceof Document document) ? document : new Document();
		List<String> failCommands = new ArrayList<>();
		if (data.get("failCommands") instanceof List<?> list) {
			list.forEach((item) -> failCommands.add(String.valueOf(item)));
		}
		if (failCommands.isEmpty()) {
			throw new MongoServerError(2, "BadValue", "failCommand requires a non-empty 'data.failCommands' list");
		}
		long block = blockTimeOf(data);
		Document concernError = writeConcernErrorOf(data);
		this.commands = Set.copyOf(failCommands);
		this.errorCode = (data.get("errorCode") instanceof Number number) ? number.intValue() : null;
		this.closeConnection = Boolean.TRUE.equals(data.get("closeConnection"));
		this.blockTimeMillis = block;
		this.writeConcernError = concernError;
		this.appName = (data.get("appName") instanceof String string) ? string : null;
		List<String> labels = new ArrayList<>();
		if (data.get("errorLabels") instanceof List<?> list) {
			list.forEach((item) -> labels.add(String.valueOf(item)));
		}
		this.errorLabels = List.copyOf(labels);
		this.remaining = times;
		this.skip = skipFirst;
		this.enabled = times != 0;
	}

	/*
	 * mongod checks blockTimeMS when a blocked command arrives; checking it here instead
	 * tells the test that configures it at once.
	 */
	private static long blockTimeOf(Document data) {
		if (!Boolean.TRUE.equals(data.get("blockConnection"))) {
			return -1;
		}
		if (!(data.get("blockTimeMS") instanceof Number number)) {
			throw new MongoServerError(INVALID_OPTIONS, "InvalidOptions",
					"failCommand: 'data.blockConnection: true' requires 'data.blockTimeMS', a number of milliseconds, "
							+ "but it is " + data.get("blockTimeMS"));
		}
		if (number.longValue() < 0) {
			throw new MongoServerError(INVALID_OPTIONS, "InvalidOptions",
					"failCommand: 'data.blockTimeMS' must not be negative, but it is " + number);
		}
		return number.longValue();
	}

	private static @Nullable Document writeConcernErrorOf(Document data) {
		Object value = data.get("writeConcernError");
		if (value == null) {
			return null;
		}
		if (!(value instanceof Document error) || !(error.get("code") instanceof Number code)
				|| !(error.get("errmsg") instanceof String message)) {
			throw new MongoServerError(2, "BadValue",
					"failCommand: 'data.writeConcernError' must be a document with a numeric 'code' and a string "
							+ "'errmsg' (and optionally 'codeName' and 'errInfo'), but it is " + value);
		}
		Document copy = new Document();
		copy.put("code", code.intValue());
		if (error.get("codeName") instanceof String codeName) {
			copy.put("codeName", codeName);
		}
		copy.put("errmsg", message);
		if (error.get("errInfo") instanceof Document errInfo) {
			copy.put("errInfo", errInfo);
		}
		return copy;
	}

	/**
	 * Returns what the fail point does to a command, counting it towards {@code times} or
	 * {@code skip} when it applies.
	 * @param name the command name (as matched in {@code failCommands})
	 * @param clientAppName the application name of the connection
	 * @param command the command document, looked at only when the name matches
	 * @return the action, or {@code null} when the command runs as usual
	 */
	synchronized @Nullable Action check(String name, @Nullable String clientAppName, Document command) {
		if (!this.enabled || !this.commands.contains(name)) {
			return null;
		}
		if (this.appName != null && !this.appName.equals(clientAppName)) {
			return null;
		}
		Document concernError = (this.writeConcernError != null && takesWriteConcern(name, command))
				? this.writeConcernError : null;
		if (!this.closeConnection && this.errorCode == null && this.blockTimeMillis < 0 && concernError == null) {
			return null;
		}
		if (this.skip > 0) {
			this.skip--;
			return null;
		}
		if (this.remaining > 0) {
			this.remaining--;
			if (this.remaining == 0) {
				this.enabled = false;
			}
		}
		return new Action(this.closeConnection, this.errorCode, this.errorLabels, this.blockTimeMillis,
				(concernError != null) ? copy(concernError) : null);
	}

	static boolean takesWriteConcern(String name, Document command) {
		if (WRITE_CONCERN_COMMANDS.contains(name)) {
			return true;
		}
		if (name.equals("aggregate") && command.get("pipeline") instanceof List<?> pipeline && !pipeline.isEmpty()
				&& pipeline.get(pipeline.size() - 1) instanceof Document last) {
			return last.containsKey("$out") || last.containsKey("$merge");
		}
		return false;
	}

	private static Document copy(Document document) {
		Document copy = new Document();
		copy.putAll(document);
		return copy;
	}

	synchronized void reset() {
		this.enabled = false;
		this.commands = Set.of();
		this.remaining = -1;
		this.skip = 0;
		this.errorCode = null;
		this.closeConnection = false;
		this.blockTimeMillis = -1;
		this.writeConcernError = null;
		this.appName = null;
		this.errorLabels = List.of();
	}

	/**
	 * What a matching command gets: first the delay, then a closed connection, else an
	 * error reply, else it runs and its reply carries the write concern error.
	 *
	 * @param closeConnection whether the connection is closed without a reply
	 * @param errorCode the error code of the reply, when it is not closed
	 * @param errorLabels the error labels of the error reply (or of the reply with the
	 * write concern error)
	 * @param blockTimeMillis how long the command is held first, or -1 for not at all
	 * @param writeConcernError the write concern error added to the reply of a command
	 * that runs, or {@code null}
	 */
	record Action(boolean closeConnection, @Nullable Integer errorCode, List<String> errorLabels, long blockTimeMillis,
			@Nullable Document writeConcernError) {

		boolean runsCommand() {
			return !this.closeConnection && this.errorCode == null;
		}

	}

}
