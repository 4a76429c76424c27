package io.mongolb.testcontainers;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Bounded waits for the parts of the cluster, sharing one start-up deadline: each part is
 * asked again until it says it is ready, and a part that is not ready by the deadline
 * fails the start with a message that names it and what it last answered.
 */
final class Readiness {

	private static final long POLL_INTERVAL_MILLIS = 250;

	private final Duration timeout;

	private final LongSupplier nanoTime;

	private final long deadline;

	Readiness(Duration timeout) {
		this(timeout, System::nanoTime);
	}

	Readiness(Duration timeout, LongSupplier nanoTime) {
		this.timeout = timeout;
		this.nanoTime = nanoTime;
		this.deadline = nanoTime.getAsLong() + timeout.toNanos();
	}

	/**
	 * The time left until the deadline, never negative.
	 * @return the time left
	 */
	Duration remaining() {
		return Duration.ofNanos(Math.max(0, this.deadline - this.nanoTime.getAsLong()));
	}

	/**
	 * Asks the probe until it is ready or the deadline passes.
	 * @param part the part, as the failure names it (for example "the shard replica set
	 * 'shard0'")
	 * @param readiness what ready means, for the failure message
	 * @param probe the probe
	 * @throws IllegalStateException when the part was not ready in time
	 */
	void await(String part, String readiness, Probe probe) {
		String last = "never answered";
		while (true) {
			try {
				String notReady = probe.notReady();
				if (notReady == null) {
					return;
				}
				last = notReady;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for " + part, ex);
			}
			catch (Exception ex) {
				last = ex.getClass().getSimpleName() + ": " + ex.getMessage();
			}
			long left = this.deadline - this.nanoTime.getAsLong();
			if (left <= 0) {
				throw new IllegalStateException(
						"The load-balanced MongoDB cluster did not come up: " + part + " was not ready (" + readiness
								+ ") within the start-up timeout of " + this.timeout + ". Last answer: " + last.strip()
								+ ". Raise the timeout with withClusterStartupTimeout(...) if the machine is slow"
								+ " or the images are still being pulled.");
			}
			try {
				TimeUnit.MILLISECONDS.sleep(Math.min(POLL_INTERVAL_MILLIS, TimeUnit.NANOSECONDS.toMillis(left) + 1));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for " + part, ex);
			}
		}
	}

	/**
	 * One look at a part.
	 */
	@FunctionalInterface
	interface Probe {

		/**
		 * Looks at the part once.
		 * @return {@code null} when it is ready, otherwise what it answered
		 * @throws Exception when it could not be asked
		 */
		String notReady() throws Exception;

	}

}
