package io.mongolb.autoconfigure.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Polls a health indicator in a thread of its own, every 100 ms, and keeps the changes of
 * status (with the cause of each DOWN).
 */
final class HealthPoller implements AutoCloseable {

	private final HealthIndicator indicator;

	private final AtomicBoolean running = new AtomicBoolean(true);

	private final List<Change> changes = new CopyOnWriteArrayList<>();

	private final Thread thread;

	private final long start = System.nanoTime();

	private volatile int polls;

	HealthPoller(HealthIndicator indicator) {
		this.indicator = indicator;
		this.thread = new Thread(this::poll, "health-poller");
		this.thread.setDaemon(true);
		this.thread.start();
	}

	private void poll() {
		Status last = null;
		while (this.running.get()) {
			Health health = this.indicator.health();
			this.polls++;
			if (!Objects.equals(health.getStatus(), last)) {
				last = health.getStatus();
				Object cause = health.getDetails().get("cause");
				this.changes.add(new Change(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.start), last,
						(cause != null) ? cause.toString() : null));
			}
			LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
		}
	}

	List<Change> changes() {
		return new ArrayList<>(this.changes);
	}

	Status current() {
		List<Change> all = this.changes;
		return all.isEmpty() ? null : all.get(all.size() - 1).status();
	}

	int polls() {
		return this.polls;
	}

	void stop() throws InterruptedException {
		this.running.set(false);
		this.thread.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(this.thread.isAlive()).as("health poller stopped").isFalse();
	}

	@Override
	public void close() {
		this.running.set(false);
	}

	/**
	 * A change of status.
	 *
	 * @param atMillis milliseconds since the poller started
	 * @param status the new status
	 * @param cause the {@code cause} detail, if any
	 */
	record Change(long atMillis, Status status, String cause) {

		@Override
		public String toString() {
			return this.status + "@" + this.atMillis + "ms" + ((this.cause != null) ? " (" + this.cause + ")" : "");
		}

	}

}
