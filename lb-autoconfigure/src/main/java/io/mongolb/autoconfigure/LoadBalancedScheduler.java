package io.mongolb.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * The starter's one scheduler: a single daemon thread that runs the starter's periodic
 * work (expiry of idle services, the scan for pinned-connection leaks), started with the
 * application context and stopped when it closes. It does not depend on Spring's task
 * scheduling, which exists only with {@code @EnableScheduling}, and runs no thread at all
 * when nothing is scheduled.
 * <p>
 * A task that throws is logged and runs again at its next time.
 *
 * @since 0.1.0
 */
public class LoadBalancedScheduler implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(LoadBalancedScheduler.class);

	/** The name of the scheduler's thread. */
	public static final String THREAD_NAME = "mongodb-lb-scheduler";

	private final List<Task> tasks = new ArrayList<>();

	private @Nullable ScheduledThreadPoolExecutor executor;

	/**
	 * Run a task periodically while the scheduler runs, the first time one period after
	 * it starts (or after this call, when it already runs).
	 * @param name what the task does, for logs
	 * @param period the time between the end of one run and the start of the next
	 * @param task the task; it must not block for long
	 */
	public synchronized void schedule(String name, Duration period, Runnable task) {
		if (period.isNegative() || period.isZero()) {
			throw new IllegalArgumentException("The period of '" + name + "' must be positive, was " + period);
		}
		Task added = new Task(name, period, task);
		this.tasks.add(added);
		if (this.executor != null) {
			added.scheduleOn(this.executor);
		}
	}

	@Override
	public synchronized void start() {
		if (this.executor != null || this.tasks.isEmpty()) {
			return;
		}
		ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, (runnable) -> {
			Thread thread = new Thread(runnable, THREAD_NAME);
			thread.setDaemon(true);
			return thread;
		});
		executor.setRemoveOnCancelPolicy(true);
		for (Task task : this.tasks) {
			task.scheduleOn(executor);
		}
		this.executor = executor;
	}

	@Override
	public synchronized void stop() {
		ScheduledThreadPoolExecutor executor = this.executor;
		if (executor == null) {
			return;
		}
		this.executor = null;
		executor.shutdownNow();
		try {
			if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
				logger.warn("The " + THREAD_NAME + " thread did not stop within 5s");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.executor != null;
	}

	/**
	 * Whether a task is scheduled under the given name.
	 * @param name the task's name
	 * @return {@code true} if {@link #schedule} was called with it
	 */
	public synchronized boolean hasTask(String name) {
		return this.tasks.stream().anyMatch((task) -> task.name.equals(name));
	}

	private record Task(String name, Duration period, Runnable task) {

		void scheduleOn(ScheduledThreadPoolExecutor executor) {
			long millis = this.period.toMillis();
			executor.scheduleWithFixedDelay(this::runSafely, millis, millis, TimeUnit.MILLISECONDS);
		}

		private void runSafely() {
			try {
				this.task.run();
			}
			catch (RuntimeException ex) {
				logger.warn("Scheduled task '" + this.name + "' failed; it runs again in " + this.period, ex);
			}
		}

	}

}
