package io.mongolb.autoconfigure.topology;

import java.util.concurrent.atomic.LongAdder;

import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * Mutable counters of one service, updated from driver events without locks. Connection
 * counts are not kept here: they are derived from the {@link ConnectionTable} when they
 * are read, so they cannot drift. A reader (a snapshot, meters) reads the fields
 * directly.
 * <p>
 * {@link #lastSeen} is written at most once a second per service, not on every command: a
 * write per command to a field that every thread serving this service reads would make
 * those threads take turns owning its cache line.
 */
final class ServiceState implements TrackedService {

	// The precision of lastSeen; the time between two writes of it by commands.
	private static final long LAST_SEEN_RESOLUTION_MILLIS = 1000;

	private static final CommandRecorder[] NO_RECORDERS = new CommandRecorder[0];

	final ObjectId serviceId;

	private final ServiceRegistry registry;

	private @Nullable String serviceIdHex;

	final long firstSeen;

	volatile long lastSeen;

	final LongAdder commandsSucceeded = new LongAdder();

	final LongAdder commandsFailed = new LongAdder();

	final LongAdder poolClears = new LongAdder();

	final LongAdder pinnedConnectionLeaks = new LongAdder();

	volatile long lastPoolClear;

	volatile @Nullable LastError lastError;

	// Replaced, never changed, under the registry's lock; read on every command.
	volatile CommandRecorder[] recorders = NO_RECORDERS;

	ServiceState(ObjectId serviceId, long now, ServiceRegistry registry) {
		this.serviceId = serviceId;
		this.firstSeen = now;
		this.lastSeen = now;
		this.registry = registry;
	}

	/**
	 * Note that the service was seen now, to the second.
	 * @param now the current time
	 */
	void seen(long now) {
		if (now - this.lastSeen >= LAST_SEEN_RESOLUTION_MILLIS) {
			this.lastSeen = now;
		}
	}

	void commandSucceeded(long elapsedNanos) {
		this.commandsSucceeded.increment();
		for (CommandRecorder recorder : this.recorders) {
			recorder.commandSucceeded(elapsedNanos);
		}
	}

	void commandFailed(Throwable error, long elapsedNanos, long now) {
		this.commandsFailed.increment();
		// Failures are rare: one small holder keeps the error and its time consistent.
		this.lastError = new LastError(error, now);
		for (CommandRecorder recorder : this.recorders) {
			recorder.commandFailed(elapsedNanos);
		}
	}

	void poolCleared(long now) {
		this.poolClears.increment();
		this.lastPoolClear = now;
		this.lastSeen = Math.max(this.lastSeen, now);
	}

	void addRecorder(CommandRecorder recorder) {
		CommandRecorder[] current = this.recorders;
		CommandRecorder[] updated = new CommandRecorder[current.length + 1];
		System.arraycopy(current, 0, updated, 0, current.length);
		updated[current.length] = recorder;
		this.recorders = updated;
	}

	void clearRecorders() {
		this.recorders = NO_RECORDERS;
	}

	@Override
	public ObjectId serviceId() {
		return this.serviceId;
	}

	@Override
	public String serviceIdHex() {
		String hex = this.serviceIdHex;
		if (hex == null) {
			hex = this.serviceId.toHexString();
			this.serviceIdHex = hex;
		}
		return hex;
	}

	@Override
	public int openConnections() {
		return this.registry.countConnections(this, ConnectionCounts.State.OPEN);
	}

	@Override
	public int checkedOutConnections() {
		return this.registry.countConnections(this, ConnectionCounts.State.CHECKED_OUT);
	}

	@Override
	public int connectionsPastLeakThreshold() {
		return this.registry.countConnections(this, ConnectionCounts.State.PAST_LEAK_THRESHOLD);
	}

	@Override
	public long commandsSucceeded() {
		return this.commandsSucceeded.sum();
	}

	@Override
	public long commandsFailed() {
		return this.commandsFailed.sum();
	}

	@Override
	public long poolClears() {
		return this.poolClears.sum();
	}

	@Override
	public long pinnedConnectionLeaks() {
		return this.pinnedConnectionLeaks.sum();
	}

	@Override
	public String toString() {
		return "Service " + serviceIdHex();
	}

	/**
	 * The last command failure and when it happened, read and written as one.
	 *
	 * @param error the failure
	 * @param time when it happened, in epoch milliseconds
	 */
	record LastError(Throwable error, long time) {
	}

}
