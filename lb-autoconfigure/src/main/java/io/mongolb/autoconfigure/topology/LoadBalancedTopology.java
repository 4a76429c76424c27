package io.mongolb.autoconfigure.topology;

import java.time.Clock;
import java.time.Duration;
import java.util.function.Consumer;

import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ConnectionPoolSettings;
import com.mongodb.event.ClusterListener;
import com.mongodb.event.CommandListener;
import com.mongodb.event.ConnectionPoolListener;
import com.mongodb.event.ServerListener;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The single source of truth about a {@code MongoClient} in load-balanced mode: the
 * topology and its one LoadBalancer server, the services (mongos instances, by
 * {@code serviceId}) that served commands behind the balancer, and the recent topology
 * and pool events.
 * <p>
 * Register its four listeners with the client: {@link #clusterListener()},
 * {@link #serverListener()}, {@link #commandListener()} and
 * {@link #connectionPoolListener()} (the starter's customizer does). Command events carry
 * the {@code serviceId} of the connection's handshake; connection-pool events carry only
 * a {@code ConnectionId}, so connections are correlated with services on their first
 * command. At most {@code maxServices} services are tracked: a new one evicts the service
 * idle longest, preferring one with no open connection. The command and check-out paths
 * take no lock and allocate nothing once a service and a connection are known.
 * {@link #snapshot()} is safe from any thread.
 *
 * @since 0.1.0
 */
public class LoadBalancedTopology {

	private final LoadBalancedClusterListener clusterListener;

	private final LoadBalancedServerListener serverListener;

	private final LoadBalancedCommandListener commandListener;

	private final LoadBalancedConnectionPoolListener connectionPoolListener;

	private final SnapshotAssembler snapshots;

	private final ServiceRegistry registry;

	private final EventLog events;

	private final Clock clock;

	/**
	 * Create a topology model whose event texts give {@link Hints#NEUTRAL neutral}
	 * advice.
	 * @param maxServices the most services tracked at once, at least 1
	 * @param leakThreshold how long a connection may stay checked out before it counts as
	 * a possible leak
	 * @param eventCapacity how many recent events to keep, at least 1
	 */
	public LoadBalancedTopology(int maxServices, Duration leakThreshold, int eventCapacity) {
		this(maxServices, leakThreshold, eventCapacity, Hints.NEUTRAL);
	}

	/**
	 * Create a topology model whose event texts give the advice of the given hints.
	 * @param maxServices the most services tracked at once, at least 1
	 * @param leakThreshold how long a connection may stay checked out before it counts as
	 * a possible leak
	 * @param eventCapacity how many recent events to keep, at least 1
	 * @param hints the advice in event texts, worded for where the application configures
	 * the model
	 */
	public LoadBalancedTopology(int maxServices, Duration leakThreshold, int eventCapacity, Hints hints) {
		this(maxServices, leakThreshold, eventCapacity, Clock.systemUTC(), (event) -> {
		}, hints);
	}

	/**
	 * Create a topology model with its own clock and a listener for the events it
	 * records.
	 * @param maxServices the most services tracked at once, at least 1
	 * @param leakThreshold how long a connection may stay checked out before it counts as
	 * a possible leak
	 * @param eventCapacity how many recent events to keep, at least 1
	 * @param clock the clock for event and service times
	 * @param eventListener called with each recorded event, on the driver's thread; it
	 * must not block
	 */
	public LoadBalancedTopology(int maxServices, Duration leakThreshold, int eventCapacity, Clock clock,
			Consumer<LoadBalancedEvent> eventListener) {
		this(maxServices, leakThreshold, eventCapacity, clock, eventListener, Hints.NEUTRAL);
	}

	/**
	 * Create a topology model with its own clock, a listener for the events it records,
	 * and the advice of the given hints in event texts.
	 * @param maxServices the most services tracked at once, at least 1
	 * @param leakThreshold how long a connection may stay checked out before it counts as
	 * a possible leak
	 * @param eventCapacity how many recent events to keep, at least 1
	 * @param clock the clock for event and service times
	 * @param eventListener called with each recorded event, on the driver's thread; it
	 * must not block
	 * @param hints the advice in event texts, worded for where the application configures
	 * the model
	 */
	public LoadBalancedTopology(int maxServices, Duration leakThreshold, int eventCapacity, Clock clock,
			Consumer<LoadBalancedEvent> eventListener, Hints hints) {
		if (maxServices < 1 || eventCapacity < 1) {
			throw new IllegalArgumentException(
					"maxServices and eventCapacity must be at least 1, were " + maxServices + " and " + eventCapacity);
		}
		EventLog events = new EventLog(eventCapacity, clock, eventListener);
		TopologyDescriptions descriptions = new TopologyDescriptions();
		ServiceRegistry registry = new ServiceRegistry(maxServices, clock, leakThreshold.toMillis(),
				new ServiceEventRecorder(events, maxServices, hints), events);
		this.clusterListener = new LoadBalancedClusterListener(descriptions, events, registry);
		this.serverListener = new LoadBalancedServerListener(descriptions, events);
		this.commandListener = new LoadBalancedCommandListener(registry, clock);
		this.connectionPoolListener = new LoadBalancedConnectionPoolListener(registry, events, clock);
		this.registry = registry;
		this.events = events;
		this.snapshots = new SnapshotAssembler(registry, descriptions, events, clock, leakThreshold);
		this.clock = clock;
	}

	/**
	 * The listener to register for the client's cluster (topology) events.
	 * @return the cluster listener, the same instance on every call
	 */
	public ClusterListener clusterListener() {
		return this.clusterListener;
	}

	/**
	 * The listener to register for the client's server events, those of the LoadBalancer
	 * server.
	 * @return the server listener, the same instance on every call
	 */
	public ServerListener serverListener() {
		return this.serverListener;
	}

	/**
	 * The listener to register for the client's command events: it counts commands per
	 * service.
	 * @return the command listener, the same instance on every call
	 */
	public CommandListener commandListener() {
		return this.commandListener;
	}

	/**
	 * The listener to register for the client's connection-pool events: it follows
	 * connections per service.
	 * @return the connection-pool listener, the same instance on every call
	 */
	public ConnectionPoolListener connectionPoolListener() {
		return this.connectionPoolListener;
	}

	/**
	 * The current state, as an immutable snapshot.
	 * @return the snapshot
	 */
	public LoadBalancedTopologySnapshot snapshot() {
		return this.snapshots.snapshot();
	}

	/**
	 * The service a pooled connection reached, as correlated from the commands that ran
	 * on it. Takes no lock and allocates nothing.
	 * @param connectionId the driver's id of the connection
	 * @return the connection's serviceId, or {@code null} when the connection ran no
	 * command yet, is closed, or its service is not tracked
	 */
	public @Nullable ObjectId serviceIdOf(ConnectionId connectionId) {
		return this.registry.serviceIdOf(connectionId.getLocalValue());
	}

	/**
	 * Add an observer of the tracked services, and tell it at once of the topology and
	 * the services tracked now. Observers cannot be removed: they live as long as the
	 * model, which lives as long as its client.
	 * @param observer the observer
	 */
	public void addServiceObserver(ServiceObserver observer) {
		this.registry.addObserver(observer);
	}

	/**
	 * Add a listener for the events the model records from now on, called after the
	 * constructor's listener. It is called on the thread that recorded the event (a
	 * driver thread, or the starter's scheduler), sometimes under the model's lock: it
	 * must be quick, must not block and must not throw; hand the event to another thread
	 * for anything more.
	 * @param listener the listener
	 */
	public void addEventListener(Consumer<LoadBalancedEvent> listener) {
		this.events.addListener(listener);
	}

	/**
	 * Add a listener for the settings each connection pool of the client is created with
	 * (after every settings customizer), called on the driver's thread when the pool is
	 * created, once per pool: a check on the final settings needs no pool listener of its
	 * own, and so adds nothing per command.
	 * @param listener the listener; it must be quick and must not throw
	 */
	public void addPoolCreatedListener(Consumer<ConnectionPoolSettings> listener) {
		this.connectionPoolListener.addPoolCreatedListener(listener);
	}

	/**
	 * A live view of a service, while it is tracked.
	 * @param serviceId the service's id
	 * @return the service, or {@code null} when it is not tracked
	 */
	public @Nullable TrackedService trackedService(ObjectId serviceId) {
		return this.registry.service(serviceId);
	}

	/**
	 * Stop tracking the services that have no open connection and served no command for
	 * the given time: their snapshot entries go, and {@link ServiceObserver}s are told.
	 * The starter calls this on its scheduler; a service that comes back is tracked anew.
	 * @param idleFor how long a service must have been idle, with no open connection
	 * @return how many services expired
	 */
	public int expireIdleServices(Duration idleFor) {
		return this.registry.expire(this.clock.millis() - idleFor.toMillis());
	}

	/**
	 * Report, once per check-out, the connections checked out for longer than the leak
	 * threshold: each report is a {@link LoadBalancedEvent.Type#PINNED_CONNECTION_LEAK}
	 * event (logged as a warning) that names the service and the command that took the
	 * connection, counts in {@link TrackedService#pinnedConnectionLeaks()}, and stays in
	 * {@link LoadBalancedTopologySnapshot#pinnedConnectionLeaks()} until the connection
	 * is checked in or closed
	 * ({@link LoadBalancedEvent.Type#PINNED_CONNECTION_RELEASED}). The starter calls this
	 * on its scheduler.
	 * @return how many connections were reported now
	 */
	public int scanForPinnedConnectionLeaks() {
		return this.registry.scanForLeaks();
	}

	/**
	 * How many services are tracked now. Cheaper than a {@link #snapshot()}.
	 * @return the tracked services
	 */
	public int trackedServiceCount() {
		return this.registry.trackedServices();
	}

	/**
	 * How many services were refused, as in
	 * {@link LoadBalancedTopologySnapshot#untrackedServices()}. Cheaper than a
	 * {@link #snapshot()}.
	 * @return the untracked services
	 */
	public int untrackedServiceCount() {
		return this.registry.untrackedServices();
	}

	/**
	 * How many services stopped being tracked, evicted at the bound or expired, as in
	 * {@link LoadBalancedTopologySnapshot#evictedServices()}. Cheaper than a
	 * {@link #snapshot()}.
	 * @return the evicted and expired services
	 */
	public long evictedServiceCount() {
		return this.registry.evictedServices();
	}

	/**
	 * How many commands were served by untracked services, as in
	 * {@link LoadBalancedTopologySnapshot#untrackedCommands()}. Cheaper than a
	 * {@link #snapshot()}.
	 * @return the untracked commands
	 */
	public long untrackedCommandCount() {
		return this.registry.untrackedCommands();
	}

	/**
	 * What the model's event texts advise, worded for where the application configures
	 * the model: the model knows what to do, the application knows what the setting is
	 * called (a configuration property, a constructor argument).
	 *
	 * @param raiseMaxServices how to track more services, added to the text of a
	 * {@link LoadBalancedEvent.Type#SERVICE_UNTRACKED} event, for example
	 * {@code "raise maxServices above the number
	 * of mongos"}
	 * @since 0.1.0
	 */
	public record Hints(String raiseMaxServices) {

		/**
		 * Hints that name the model's own parameters, for a model created directly.
		 */
		public static final Hints NEUTRAL = new Hints("raise maxServices above the number of mongos");

	}

}
