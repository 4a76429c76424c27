package io.mongolb.sample;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.domain.PageRequest;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;

/**
 * Traffic for the live view, switched on and off from the page: every
 * {@value #TICK_MILLIS} ms a burst of {@value #BURST} concurrent operations on the orders
 * collection (three reads of a page of orders for one insert and delete of an order).
 * Concurrent operations make the pool open several connections, which the balancer
 * spreads over the mongos behind it; after a mongos stops, the next burst uses its pooled
 * connections, and the pool clear shows.
 * <p>
 * What it inserts it deletes again; a burst still running when the next is due makes that
 * one skip the operations it has no thread for.
 */
@Component
class TrafficGenerator implements DisposableBean {

	static final int BURST = 8;

	static final long TICK_MILLIS = 200;

	private static final Log logger = LogFactory.getLog(TrafficGenerator.class);

	private final OrderRepository repository;

	private final Clock clock = Clock.tick(Clock.systemUTC(), Duration.ofMillis(1));

	private final ScheduledExecutorService ticker = Executors
		.newSingleThreadScheduledExecutor(daemonThreads("mongolb-traffic-tick-"));

	private final ExecutorService workers = Executors.newFixedThreadPool(BURST, daemonThreads("mongolb-traffic-"));

	private final Semaphore idleWorkers = new Semaphore(BURST);

	private final AtomicLong succeeded = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicLong sequence = new AtomicLong();

	private @Nullable ScheduledFuture<?> running;

	private @Nullable Instant startedAt;

	TrafficGenerator(OrderRepository repository) {
		this.repository = repository;
	}

	synchronized Map<String, Object> start() {
		if (this.running == null) {
			this.startedAt = this.clock.instant();
			this.running = this.ticker.scheduleAtFixedRate(this::burst, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
			logger.info("Traffic started: every " + TICK_MILLIS + " ms, " + BURST + " concurrent operations");
		}
		return status();
	}

	synchronized Map<String, Object> stop() {
		if (this.running != null) {
			this.running.cancel(false);
			this.running = null;
			this.startedAt = null;
			logger.info("Traffic stopped: " + this.succeeded.get() + " operations succeeded, " + this.failed.get()
					+ " failed");
		}
		return status();
	}

	synchronized Map<String, Object> status() {
		Map<String, Object> status = new LinkedHashMap<>();
		status.put("running", this.running != null);
		status.put("startedAt", (this.startedAt != null) ? this.startedAt.toString() : null);
		status.put("succeeded", this.succeeded.get());
		status.put("failed", this.failed.get());
		status.put("burst", BURST);
		status.put("tickMillis", TICK_MILLIS);
		return status;
	}

	@Override
	public void destroy() throws InterruptedException {
		this.ticker.shutdownNow();
		this.workers.shutdownNow();
		this.workers.awaitTermination(5, TimeUnit.SECONDS);
	}

	private void burst() {
		for (int i = 0; i < BURST; i++) {
			if (!this.idleWorkers.tryAcquire()) {
				return;
			}
			long operation = this.sequence.incrementAndGet();
			try {
				this.workers.execute(() -> operate(operation));
			}
			catch (RuntimeException ex) {
				// Rejected: shutting down.
				this.idleWorkers.release();
				return;
			}
		}
	}

	private void operate(long operation) {
		try {
			if (operation % 4 == 0) {
				OrderRequest request = new OrderRequest("traffic", "item " + operation, 1);
				Order saved = this.repository.insert(Order.create(request, this.clock.instant()));
				this.repository.removeById(saved.id());
			}
			else {
				this.repository.findAll(PageRequest.of(0, 5));
			}
			this.succeeded.incrementAndGet();
		}
		catch (RuntimeException ex) {
			// Expected while a mongos stops: the starter's endpoint shows the failed
			// command and the pool clear; the log keeps one line, without the driver's
			// message (it names hosts).
			this.failed.incrementAndGet();
			if (logger.isDebugEnabled()) {
				logger.debug("Traffic operation failed: " + ex.getClass().getName());
			}
		}
		finally {
			this.idleWorkers.release();
		}
	}

	private static CustomizableThreadFactory daemonThreads(String prefix) {
		CustomizableThreadFactory factory = new CustomizableThreadFactory(prefix);
		factory.setDaemon(true);
		return factory;
	}

}
