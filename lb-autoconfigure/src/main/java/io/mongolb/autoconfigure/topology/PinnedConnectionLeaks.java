package io.mongolb.autoconfigure.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reports connections checked out past the leak threshold, once per check-out, and their
 * release. In load-balanced mode the driver pins a connection to each open cursor and
 * transaction: one never closed holds its connection until the pool runs dry, and the
 * driver's only hint is the text of a {@code MongoTimeoutException}.
 * <p>
 * A scan (on the starter's scheduler, without traffic) reports; a check-in or close of a
 * reported connection releases. Both sides change the report under the connection entry's
 * monitor, and each writes its own field before it reads the other's (the scan marks the
 * report, then checks the connection is still out; the check-in marks the connection in,
 * then checks for a report), so a report is never lost nor released twice. The check-in's
 * cost when nothing was reported is one volatile read.
 */
final class PinnedConnectionLeaks {

	private final EventLog events;

	private final long thresholdMillis;

	PinnedConnectionLeaks(EventLog events, long thresholdMillis) {
		this.events = events;
		this.thresholdMillis = thresholdMillis;
	}

	int scan(ConnectionTable.Entry[] connections, long now) {
		int reported = 0;
		for (ConnectionTable.Entry connection : connections) {
			long checkedOutAt = connection.checkedOutAt;
			if (checkedOutAt == 0 || now - checkedOutAt <= this.thresholdMillis
					|| connection.reportedCheckOut == checkedOutAt) {
				continue;
			}
			synchronized (connection) {
				connection.reportedCheckOut = checkedOutAt;
				if (connection.checkedOutAt != checkedOutAt) {
					// Checked in (or out again) meanwhile: nothing to report.
					connection.reportedCheckOut = 0;
					continue;
				}
				connection.reportedAt = now;
				connection.service.pinnedConnectionLeaks.increment();
				this.events.record(LoadBalancedEvent.Type.PINNED_CONNECTION_LEAK, connection.service.serviceId,
						describeLeak(connection, checkedOutAt, now));
				reported++;
			}
		}
		return reported;
	}

	void released(ConnectionTable.Entry connection, String how, long now) {
		synchronized (connection) {
			long checkedOutAt = connection.reportedCheckOut;
			if (checkedOutAt == 0) {
				return;
			}
			connection.reportedCheckOut = 0;
			this.events.record(LoadBalancedEvent.Type.PINNED_CONNECTION_RELEASED, connection.service.serviceId,
					"Connection " + connection.id + " to service " + connection.service.serviceId
							+ ", reported as a possible leak, " + how + " after " + format(now - checkedOutAt));
		}
	}

	List<PinnedConnectionLeak> open(ConnectionTable.Entry[] connections, long now) {
		List<PinnedConnectionLeak> open = new ArrayList<>();
		for (ConnectionTable.Entry connection : connections) {
			synchronized (connection) {
				long checkedOutAt = connection.reportedCheckOut;
				if (checkedOutAt != 0 && checkedOutAt == connection.checkedOutAt) {
					String command = connection.commandName;
					open.add(new PinnedConnectionLeak(connection.service.serviceId, connection.id,
							(command != null) ? command : "(none completed)",
							(command != null && connection.database != null) ? connection.database : "",
							(command != null) ? connection.collection : null, Instant.ofEpochMilli(checkedOutAt),
							Instant.ofEpochMilli(connection.reportedAt), Duration.ofMillis(now - checkedOutAt)));
				}
			}
		}
		open.sort(Comparator.comparing(PinnedConnectionLeak::checkedOutAt));
		return open;
	}

	private String describeLeak(ConnectionTable.Entry connection, long checkedOutAt, long now) {
		String command = connection.commandName;
		String takenBy;
		if (command == null) {
			takenBy = "no command has completed on it since (a long-running operation?)";
		}
		else {
			String collection = connection.collection;
			takenBy = "taken by " + command + " on " + connection.database
					+ ((collection != null) ? "." + collection : "");
		}
		return "Connection " + connection.id + " to service " + connection.service.serviceId
				+ " has been checked out for " + format(now - checkedOutAt) + " (leak threshold "
				+ format(this.thresholdMillis) + "), " + takenBy
				+ ". A cursor or transaction left open pins its connection until the pool runs dry: close the "
				+ "cursor (try-with-resources on MongoCursor, or read it to the end) or commit or abort the "
				+ "transaction; raise maxPoolSize only if holding the connection this long is intended.";
	}

	static String format(long millis) {
		if (millis < 10_000) {
			return millis + "ms";
		}
		Duration duration = Duration.ofMillis(millis);
		return (duration.toMinutes() == 0) ? duration.toSeconds() + "s"
				: duration.toMinutes() + "m" + duration.toSecondsPart() + "s";
	}

}
