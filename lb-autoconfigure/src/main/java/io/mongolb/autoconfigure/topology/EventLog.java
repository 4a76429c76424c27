package io.mongolb.autoconfigure.topology;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * Records events: keeps the most recent ones, bounded, and hands each to the
 * application's listener. Events are rare (topology changes, pool clears, new services),
 * so a lock is fine; nothing on the command path records one.
 */
final class EventLog {

	private final int capacity;

	private final Clock clock;

	private final Consumer<LoadBalancedEvent> listener;

	private final ArrayDeque<LoadBalancedEvent> events;

	private final List<Consumer<LoadBalancedEvent>> listeners = new CopyOnWriteArrayList<>();

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
		this.listener.accept(event);
		for (Consumer<LoadBalancedEvent> added : this.listeners) {
			added.accept(event);
		}
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
