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
 * {@code "off"} or {@code {times: n}}; {@code data} holds {@code failCommands},
 * {@code errorCode}, {@code closeConnection}, {@code appName} and {@code errorLabels}. It
 * applies to every command but {@code configureFailPoint}, {@code hello} and
 * {@code isMaster} included (the application name of a connection is the one its first
 * hello announces).
 */
final class FailPoint {

	static final String NAME = "failCommand";

	private Set<String> commands = Set.of();

	private boolean enabled;

	private long remaining = -1;

	private @Nullable Integer errorCode;

	private boolean closeConnection;

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
		long times;
		if ("alwaysOn".equals(mode)) {
			times = -1;
		}
		else if (mode instanceof Document modeDocument && modeDocument.get("times") instanceof Number number) {
			times = number.longValue();
		}
		else {
			throw new MongoServerError(2, "BadValue",
					"Unsupported fail point mode " + mode + ": use \"alwaysOn\", \"off\" or {times: n}");
		}
		Document data = (command.get("data") instanceof Document document) ? document : new Document();
		List<String> failCommands = new ArrayList<>();
		if (data.get("failCommands") instanceof List<?> list) {
			list.forEach((item) -> failCommands.add(String.valueOf(item)));
		}
		if (failCommands.isEmpty()) {
			throw new MongoServerError(2, "BadValue", "failCommand requires a non-empty 'data.failCommands' list");
		}
		this.commands = Set.copyOf(failCommands);
		this.errorCode = (data.get("errorCode") instanceof Number number) ? number.intValue() : null;
		this.closeConnection = Boolean.TRUE.equals(data.get("closeConnection"));
		this.appName = (data.get("appName") instanceof String string) ? string : null;
		List<String> labels = new ArrayList<>();
		if (data.get("errorLabels") instanceof List<?> list) {
			list.forEach((item) -> labels.add(String.valueOf(item)));
		}
		this.errorLabels = List.copyOf(labels);
		this.remaining = times;
		this.enabled = times != 0;
	}

	synchronized @Nullable Action check(String command, @Nullable String clientAppName) {
		if (!this.enabled || !this.commands.contains(command)) {
			return null;
		}
		if (this.appName != null && !this.appName.equals(clientAppName)) {
			return null;
		}
		if (!this.closeConnection && this.errorCode == null) {
			return null;
		}
		if (this.remaining > 0) {
			this.remaining--;
			if (this.remaining == 0) {
				this.enabled = false;
			}
		}
		return new Action(this.closeConnection, this.errorCode, this.errorLabels);
	}

	synchronized void reset() {
		this.enabled = false;
		this.commands = Set.of();
		this.remaining = -1;
		this.errorCode = null;
		this.closeConnection = false;
		this.appName = null;
		this.errorLabels = List.of();
	}

	/**
	 * What a matching command gets instead of running.
	 *
	 * @param closeConnection whether the connection is closed without a reply
	 * @param errorCode the error code of the reply, when it is not closed
	 * @param errorLabels the error labels of the reply
	 */
	record Action(boolean closeConnection, @Nullable Integer errorCode, List<String> errorLabels) {

	}

}
