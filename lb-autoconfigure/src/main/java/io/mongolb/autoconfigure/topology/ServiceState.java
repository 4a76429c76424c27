package io.mongolb.autoconfigure.topology;

import java.util.concurrent.atomic.LongAdder;

import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * Mutable counters of one service, updated from driver events without locks. Connection
 * counts are not kept here: they are derived from the {@link ConnectionTable} when they
 * are read, so they cannot drift. A reader (a snapshot, later meters) reads the fields
 * directly.
 */
final class ServiceState {

	final ObjectId serviceId;

	final long firstSeen;

	volatile long lastSeen;

	final LongAdder commandsSucceeded = new LongAdder();

	final LongAdder commandsFailed = new LongAdder();

	final LongAdder poolClears = new LongAdder();

	volatile long lastPoolClear;

	volatile @Nullable LastError lastError;

	ServiceState(ObjectId serviceId, long now) {
		this.serviceId = serviceId;
		this.firstSeen = now;
		this.lastSeen = now;
	}

	void commandSucceeded() {
		this.commandsSucceeded.increment();
	}

	void commandFailed(Throwable error, long now) {
		this.commandsFailed.increment();
		// Failures are rare: one small holder keeps the error and its time consistent.
		this.lastError = new LastError(error, now);
	}

	void poolCleared(long now) {
		this.poolClears.increment();
		this.lastPoolClear = now;
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
