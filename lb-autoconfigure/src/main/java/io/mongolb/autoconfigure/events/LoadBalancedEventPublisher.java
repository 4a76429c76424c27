package io.mongolb.autoconfigure.events;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.mongolb.autoconfigure.topology.LoadBalancedEvent;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.LoadBalancedTopologySnapshot;
import io.mongolb.autoconfigure.topology.ServiceObserver;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import io.mongolb.autoconfigure.topology.TrackedService;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

/**
 * Publishes a {@link LoadBalancedTopology}'s service, pool-clear and leak events as
 * Spring application events ({@link ServiceDiscoveredEvent}, {@link ServiceEvictedEvent},
 * {@link PoolClearedEvent}, {@link PinnedConnectionLeakEvent},
 * {@link PinnedConnectionReleasedEvent}), off the driver's threads.
 * <p>
 * The topology calls its event listeners on a driver thread, sometimes under its lock.
 * The listener registered here only offers the event to a bounded queue: it never waits
 * for room, takes no lock, and allocates nothing but the queue's node; when the queue is
 * full the event is dropped and counted. One daemon thread, {@value #THREAD_NAME},
 * started and stopped with the application context, takes the events in order, takes a
 * {@link LoadBalancedTopology#snapshot() snapshot} for each, and calls
 * {@link ApplicationEventPublisher#publishEvent(Object)}. So a slow listener delays only
 * the events after it and, once the queue is full, loses the newest ones; it never stalls
 * a command, and memory stays bounded by the capacity. What a listener throws is caught
 * and logged: a WARN for the first failure of a burst (until an event is published
 * without failure again), DEBUG for the rest. As Spring calls the listeners of one event
 * in turn, a listener that throws keeps that event from the listeners after it.
 * <p>
 * The counts obey {@code offered = published + dropped + queued} whenever no event is
 * being published, and dropped events are reported in a WARN once the queue has drained.
 * Events still queued when the context stops are not published. Other event types
 * (topology, server and pool lifecycle, untracked services) stay in the snapshot's
 * {@link LoadBalancedTopologySnapshot#recentEvents() recent events} only.
 *
 * @since 0.1.0
 */
public class LoadBalancedEventPublisher implements SmartLifecycle {

	/** The name of the publishing thread. */
	public static final String THREAD_NAME = "mongodb-lb-events";

	private static final Log logger = LogFactory.getLog(LoadBalancedEventPublisher.class);

	private static final Set<LoadBalancedEvent.Type> PUBLISHED = EnumSet.of(LoadBalancedEvent.Type.SERVICE_DISCOVERED,
			LoadBalancedEvent.Type.SERVICE_EVICTED, LoadBalancedEvent.Type.SERVICE_EXPIRED,
			LoadBalancedEvent.Type.POOL_CLEARED, LoadBalancedEvent.Type.PINNED_CONNECTION_LEAK,
			LoadBalancedEvent.Type.PINNED_CONNECTION_RELEASED);

	// At most this many services whose last state is remembered for the events of
	// services that are no longer tracked.
	private static final int REMEMBERED_SERVICES = 1024;

	private final LoadBalancedTopology topology;

	private final ApplicationEventPublisher publisher;

	private final int capacity;

	private final boolean active;

	// Holds LoadBalancedEvent, or Eviction for the evictions and expiries of services.
	private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();

	// The number of queued events, never above the capacity: reserved before an offer.
	private final AtomicInteger queued = new AtomicInteger();

	private final AtomicLong offered = new AtomicLong();

	private final AtomicLong dropped = new AtomicLong();

	private final AtomicLong published = new AtomicLong();

	private final AtomicLong listenerFailures = new AtomicLong();

	// Pairs each eviction event with the service's last view: the topology records the
	// one and tells its observers the other, one after the other under its lock.
	private final Map<ObjectId, Object> unpairedRemovals = new LinkedHashMap<>();

	private final Object lifecycleMonitor = new Object();

	private volatile @Nullable Thread thread;

	private volatile boolean running;

	// Confined to the publishing thread.

	private final Map<ObjectId, ServiceSnapshot> lastKnown = new LinkedHashMap<>(16, 0.75f, true) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<ObjectId, ServiceSnapshot> eldest) {
			return size() > REMEMBERED_SERVICES;
		}

	};

	private long droppedReported;

	private boolean failing;

	private long failuresInBurst;

	/**
	 * Create a publisher and register it with the topology at once: events recorded
	 * before {@link #start()} wait in the queue (up to its capacity) and are published
	 * once it starts.
	 * @param topology the topology whose events to publish
	 * @param publisher what publishes them, usually the application context
	 * @param capacity the most events waiting to be published, at least 1
	 */
	public LoadBalancedEventPublisher(LoadBalancedTopology topology, ApplicationEventPublisher publisher,
			int capacity) {
		this(topology, publisher, capacity, true);
	}

	/**
	 * Create a publisher that is registered with the topology and runs a thread only when
	 * active.
	 * @param topology the topology whose events to publish
	 * @param publisher what publishes them
	 * @param capacity the most events waiting to be published, at least 1
	 * @param active whether load-balanced mode is active: otherwise the topology hears
	 * nothing, and the publisher neither listens nor starts a thread
	 */
	LoadBalancedEventPublisher(LoadBalancedTopology topology, ApplicationEventPublisher publisher, int capacity,
			boolean active) {
		if (capacity < 1) {
			throw new IllegalArgumentException("The capacity must be at least 1, was " + capacity);
		}
		this.topology = topology;
		this.publisher = publisher;
		this.capacity = capacity;
		this.active = active;
		if (active) {
			topology.addEventListener(this::recorded);
			topology.addServiceObserver(new RemovalObserver());
		}
	}

	// On the topology's threads: offer only.

	private void recorded(LoadBalancedEvent event) {
		LoadBalancedEvent.Type type = event.type();
		ObjectId serviceId = event.serviceId();
		if (serviceId == null || !PUBLISHED.contains(type)) {
			return;
		}
		if (type == LoadBalancedEvent.Type.SERVICE_EVICTED || type == LoadBalancedEvent.Type.SERVICE_EXPIRED) {
			pair(serviceId, event);
			return;
		}
		offer(event);
	}

	private void pair(ObjectId serviceId, Object eventOrView) {
		Object other;
		synchronized (this.unpairedRemovals) {
			other = this.unpairedRemovals.remove(serviceId);
			if (other == null || (other instanceof LoadBalancedEvent) == (eventOrView instanceof LoadBalancedEvent)) {
				if (this.unpairedRemovals.size() >= REMEMBERED_SERVICES) {
					// Cannot happen while the topology tells both; stay bounded anyway.
					this.unpairedRemovals.clear();
				}
				this.unpairedRemovals.put(serviceId, eventOrView);
				return;
			}
		}
		LoadBalancedEvent event = (LoadBalancedEvent) ((eventOrView instanceof LoadBalancedEvent) ? eventOrView
				: other);
		TrackedService view = (TrackedService) ((eventOrView instanceof TrackedService) ? eventOrView : other);
		offer(new Eviction(event, view));
	}

	private void offer(Object item) {
		this.offered.incrementAndGet();
		// Reserve a place, never counting above the capacity, even for a moment.
		int places;
		do {
			places = this.queued.get();
			if (places >= this.capacity) {
				this.dropped.incrementAndGet();
				return;
			}
		}
		while (!this.queued.compareAndSet(places, places + 1));
		this.queue.offer(item);
		Thread publishing = this.thread;
		if (publishing != null) {
			LockSupport.unpark(publishing);
		}
	}

	// On the publishing thread.

	private void run() {
		try {
			// The services tracked before the publisher started.
			remember(this.topology.snapshot());
		}
		catch (RuntimeException ex) {
			logger.warn("Could not read the MongoDB load-balanced topology", ex);
		}
		while (this.running) {
			Object item = this.queue.poll();
			if (item == null) {
				reportDrops();
				LockSupport.park(this);
				// Clear a stray interrupt, or park would return at once from now on.
				Thread.interrupted();
				continue;
			}
			this.queued.decrementAndGet();
			try {
				publish(item);
			}
			finally {
				this.published.incrementAndGet();
			}
		}
	}

	private void publish(Object item) {
		LoadBalancedEvent event = (item instanceof Eviction eviction) ? eviction.event() : (LoadBalancedEvent) item;
		try {
			LoadBalancedApplicationEvent applicationEvent = applicationEvent(item, event);
			this.publisher.publishEvent(applicationEvent);
			if (this.failing) {
				this.failing = false;
				logger.info("MongoDB load-balanced events are published without failure again, after "
						+ this.failuresInBurst + " failed");
			}
		}
		catch (VirtualMachineError ex) {
			throw ex;
		}
		catch (Throwable ex) {
			this.listenerFailures.incrementAndGet();
			if (!this.failing) {
				this.failing = true;
				this.failuresInBurst = 1;
				logger.warn("A listener failed on the MongoDB load-balanced event " + event.type() + " of service "
						+ event.serviceId() + "; the listeners after it did not receive that event. Further "
						+ "failures are logged at DEBUG until an event is published without failure.", ex);
			}
			else {
				this.failuresInBurst++;
				if (logger.isDebugEnabled()) {
					logger.debug("A listener failed on the MongoDB load-balanced event " + event.type() + " of service "
							+ event.serviceId(), ex);
				}
			}
		}
	}

	private LoadBalancedApplicationEvent applicationEvent(Object item, LoadBalancedEvent event) {
		ObjectId serviceId = event.serviceId();
		if (item instanceof Eviction eviction) {
			ServiceSnapshot last = this.lastKnown.remove(serviceId);
			// Keep the others' last state fresh.
			remember(this.topology.snapshot());
			// A service that came back since is another incarnation, first seen after
			// this one went.
			boolean known = last != null && !last.firstSeen().isAfter(event.time());
			return new ServiceEvictedEvent(this.topology, event, known ? finalState(last, eviction.view()) : null);
		}
		remember(this.topology.snapshot());
		ServiceSnapshot service = this.lastKnown.get(serviceId);
		return switch (event.type()) {
			case SERVICE_DISCOVERED -> new ServiceDiscoveredEvent(this.topology, event, service);
			case POOL_CLEARED -> new PoolClearedEvent(this.topology, event, service);
			case PINNED_CONNECTION_LEAK -> new PinnedConnectionLeakEvent(this.topology, event, service);
			case PINNED_CONNECTION_RELEASED -> new PinnedConnectionReleasedEvent(this.topology, event, service);
			default -> throw new IllegalStateException("Not a published event: " + event.type());
		};
	}

	// The service entries of the snapshot are the last state known of those services.
	private void remember(LoadBalancedTopologySnapshot snapshot) {
		for (ServiceSnapshot service : snapshot.services()) {
			this.lastKnown.put(service.serviceId(), service);
		}
	}

	private static ServiceSnapshot finalState(ServiceSnapshot last, TrackedService view) {
		// The view's values stopped changing when the service stopped being tracked.
		return new ServiceSnapshot(last.serviceId(), last.firstSeen(), last.lastSeen(), view.openConnections(),
				view.checkedOutConnections(), view.connectionsPastLeakThreshold(), view.commandsSucceeded(),
				view.commandsFailed(), view.poolClears(), last.lastPoolClear(), last.lastError(), last.lastErrorAt(),
				view.pinnedConnectionLeaks());
	}

	private void reportDrops() {
		long total = this.dropped.get();
		if (total > this.droppedReported) {
			logger.warn((total - this.droppedReported) + " MongoDB load-balanced event(s) were not published: the"
					+ " queue of " + this.capacity
					+ " (mongodb.load-balanced.events.publish-capacity) was full because an"
					+ " ApplicationListener of them is slow; " + total + " dropped since start-up. Hand slow work"
					+ " to another thread; the topology's recent events keep them until they age out.");
			this.droppedReported = total;
		}
	}

	// Lifecycle

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (!this.active || this.running) {
				return;
			}
			this.running = true;
			Thread publishing = new Thread(this::run, THREAD_NAME);
			publishing.setDaemon(true);
			this.thread = publishing;
			publishing.start();
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			Thread publishing = this.thread;
			if (publishing == null) {
				return;
			}
			this.running = false;
			this.thread = null;
			LockSupport.unpark(publishing);
			publishing.interrupt();
			try {
				publishing.join(5000);
				if (publishing.isAlive()) {
					logger.warn("The " + THREAD_NAME + " thread did not stop within 5s: a listener of MongoDB"
							+ " load-balanced events does not return");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	// Figures

	/**
	 * The topology whose events are published.
	 * @return the topology
	 */
	public LoadBalancedTopology getTopology() {
		return this.topology;
	}

	/**
	 * Whether the publisher listens to the topology: load-balanced mode is active.
	 * @return {@code true} when it listens
	 */
	public boolean isActive() {
		return this.active;
	}

	/**
	 * The most events that wait to be published at once.
	 * @return the queue's capacity
	 */
	public int getCapacity() {
		return this.capacity;
	}

	/**
	 * How many events were offered to the queue: queued or dropped.
	 * @return the count since the publisher was created
	 */
	public long getOfferedCount() {
		return this.offered.get();
	}

	/**
	 * How many events were dropped because the queue was full.
	 * @return the count since the publisher was created
	 */
	public long getDroppedCount() {
		return this.dropped.get();
	}

	/**
	 * How many events were handed to the application's listeners, whether or not one
	 * threw.
	 * @return the count since the publisher was created
	 */
	public long getPublishedCount() {
		return this.published.get();
	}

	/**
	 * How many events wait to be published now.
	 * @return the queued events, never more than {@link #getCapacity()}
	 */
	public int getQueuedCount() {
		return Math.max(0, this.queued.get());
	}

	/**
	 * How many events a listener threw on.
	 * @return the count since the publisher was created
	 */
	public long getListenerFailureCount() {
		return this.listenerFailures.get();
	}

	/**
	 * An eviction or expiry, with the service's view as it stopped being tracked.
	 */
	private record Eviction(LoadBalancedEvent event, TrackedService view) {

	}

	/**
	 * Keeps the last view of each service that stops being tracked, for its eviction
	 * event.
	 */
	private final class RemovalObserver implements ServiceObserver {

		@Override
		public void serviceRemoved(TrackedService service, Removal reason) {
			pair(service.serviceId(), service);
		}

	}

}
