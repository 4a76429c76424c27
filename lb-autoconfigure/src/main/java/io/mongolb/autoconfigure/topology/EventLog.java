package io.mongolb.autoconfigure.topology;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The most recent events, bounded. Events are rare (topology changes, pool clears, new services), so a lock is fine.
 */
final class EventLog {

	private final int capacity;

	private final ArrayDeque<LoadBalancedEvent> events;

	EventLog(int capacity) {
		this.capacity = capacity;
		this.events = new ArrayDeque<>(Math.min(capacity, 64));
	}

	synchronized void add(LoadBalancedEvent event) {
		if (this.events.size() == this.capacity) {
			this.events.removeFirst();
		}
		this.events.addLast(event);
	}

	synchronized List<LoadBalancedEvent> toList() {
		return List.copyOf(this.events);
	}

}
