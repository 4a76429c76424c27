package io.mongolb.autoconfigure.topology;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * Records events: keeps the most recent ones, bounded, logs them, and hands each to the
 * application's listeners. Events are rare (topology changes, pool clears, new services,
 * leak reports), so a lock is fine; nothing on the command path records one.
 * <p>
 * Logged under the category of {@link LoadBalancedTopology}: a service discovered,
 * evicted or expired and a released leak report at INFO; a pool clear, a leak report and
 * a service left untracked (once per service) at WARN; topology, server and pool
 * lifecycle at DEBUG.
 */
final class EventLog {

	private static final Log logger = LogFactory.getLog(LoadBalancedTopology.class);

	private final int capacity;

	private final Clock clock;

	private final Consumer<LoadBalancedEvent> listener;

	private final ArrayDeque<LoadBalancedEvent> events;

	private final List<Consumer<LoadBalancedEvent>> listeners = new CopyOnWriteArrayList<>();

	// The services already warned about as untracked: a few, the most recent.
	private final Set<ObjectId> warnedUntracked = Collections
		.newSetFromMap(new LinkedHashMap<ObjectId, Boolean>(16, 0.75f, false) {

			@Override
			protected boolean removeEldestEntry(Map.Entry<ObjectId, Boolean> eldest) {
				return size() > 256;
			}

		});

	EventLog(int capacity, Clock clock, Consumer<LoadBalancedEvent> listener) {
		this.capacity = capacity;
		this.clock = clock;
		this.listener = listener;
		this.events = new ArrayDeque<>(Math.min(capacity, 64));
	}

	void record(LoadBalancedEvent.Type type, @Nullable ObjectId serviceId, String description) {
		LoadBalancedEvent event = new LoadBalancedEvent(Instant.ofEpochMilli(this.clock.millis()), type, serviceId,
				description);
		add(event);
		log(event);
		this.listener.accept(event);
		for (Consumer<LoadBalancedEvent> added : this.listeners) {
			added.accept(event);
		}
	}

	private void log(LoadBalancedEvent event) {
		switch (event.type()) {
			case SERVICE_DISCOVERED, SERVICE_EVICTED, SERVICE_EXPIRED, PINNED_CONNECTION_RELEASED -> {
				if (logger.isInfoEnabled()) {
					logger.info(event.description());
				}
			}
			case POOL_CLEARED, PINNED_CONNECTION_LEAK -> logger.warn(event.description());
			case SERVICE_UNTRACKED -> {
				if (firstUntrackedWarning(event.serviceId())) {
					logger.warn(event.description());
				}
				else if (logger.isDebugEnabled()) {
					logger.debug(event.description());
				}
			}
			default -> {
				if (logger.isDebugEnabled()) {
					logger.debug(event.description());
				}
			}
		}
	}

	private synchronized boolean firstUntrackedWarning(@Nullable ObjectId serviceId) {
		return serviceId != null && this.warnedUntracked.add(serviceId);
	}

	void addListener(Consumer<LoadBalancedEvent> listener) {
		this.listeners.add(listener);
	}

	private synchronized void add(LoadBalancedEvent event) {
		if (this.events.size() == this.capacity) {
			this.events.removeFirst();
		}
		this.events.addLast(event);
	}

	synchronized List<LoadBalancedEvent> toList() {
		return List.copyOf(this.events);
	}

}
