package io.mongolb.autoconfigure.events;

import io.mongolb.autoconfigure.topology.LoadBalancedEvent;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEvent;

/**
 * A {@link LoadBalancedTopology} event about one service (a mongos behind the load
 * balancer), published as a Spring application event by the
 * {@link LoadBalancedEventPublisher}: listen to this type for all of them, or to one of
 * its subclasses.
 * <p>
 * Events are published on the publisher's own thread ({@code mongodb-lb-events}), never
 * on a driver thread, in the order the topology recorded them; a listener that is slow or
 * throws delays or loses only events, never a command. Each event carries the topology's
 * {@link LoadBalancedEvent} (its {@link LoadBalancedEvent#time() time} is when it was
 * recorded; {@link #getTimestamp()} is when it was published, which is later when
 * listeners are slow) and the service's {@link ServiceSnapshot}, its entry in the
 * {@link LoadBalancedTopology#snapshot()} taken on the publishing thread as the event is
 * published. A service that is no longer tracked by then has no entry: the event then
 * carries the service's entry in the last snapshot in which the publisher saw it (it
 * takes one for every event it publishes), which can be older than the event; for a
 * {@link ServiceEvictedEvent}, with the service's final counters. {@code null} means that
 * the publisher never saw the service tracked.
 * <p>
 * For example:
 *
 * <pre class="code">
 * &#64;EventListener
 * void poolCleared(PoolClearedEvent event) {
 *     ServiceSnapshot service = event.getServiceSnapshot();
 *     log.warn("mongos {} lost its connections: {}", event.getServiceId(),
 *             (service != null) ? service.lastError() : "no error recorded");
 * }
 * </pre>
 *
 * @since 0.1.0
 */
public abstract class LoadBalancedApplicationEvent extends ApplicationEvent {

	private final LoadBalancedEvent event;

	private final ObjectId serviceId;

	private final @Nullable ServiceSnapshot serviceSnapshot;

	/**
	 * Create an event.
	 * @param topology the topology that recorded the event, the event's source
	 * @param event the recorded event; it must name a service
	 * @param serviceSnapshot what is known of the service, or {@code null} when nothing
	 * is
	 */
	protected LoadBalancedApplicationEvent(LoadBalancedTopology topology, LoadBalancedEvent event,
			@Nullable ServiceSnapshot serviceSnapshot) {
		super(topology);
		ObjectId id = event.serviceId();
		if (id == null) {
			throw new IllegalArgumentException("A " + event.type() + " event without a serviceId cannot be published");
		}
		this.event = event;
		this.serviceId = id;
		this.serviceSnapshot = serviceSnapshot;
	}

	/**
	 * The topology that recorded the event (the event's source).
	 * @return the topology
	 */
	public LoadBalancedTopology getTopology() {
		return (LoadBalancedTopology) getSource();
	}

	/**
	 * The event as the topology recorded it: its time, type and description (the same
	 * object as in
	 * {@link io.mongolb.autoconfigure.topology.LoadBalancedTopologySnapshot#recentEvents()}).
	 * @return the recorded event
	 */
	public LoadBalancedEvent getEvent() {
		return this.event;
	}

	/**
	 * The service the event is about.
	 * @return the serviceId the mongos returned in its handshake
	 */
	public ObjectId getServiceId() {
		return this.serviceId;
	}

	/**
	 * What is known of the service: its entry in the topology's snapshot taken when the
	 * event was published or, when it is no longer tracked, its entry in the last
	 * snapshot in which the publisher saw it (see {@link ServiceEvictedEvent}).
	 * @return the service's snapshot, or {@code null} when the publisher never saw the
	 * service tracked (it never was, or stopped being tracked before the publisher took a
	 * snapshot)
	 */
	public @Nullable ServiceSnapshot getServiceSnapshot() {
		return this.serviceSnapshot;
	}

	@Override
	public String toString() {
		return getClass().getSimpleName() + "[serviceId=" + this.serviceId + ", time=" + this.event.time()
				+ ", description=" + this.event.description() + "]";
	}

}
