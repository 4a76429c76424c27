package io.mongolb.autoconfigure.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.mongodb.connection.ClusterId;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mongolb.autoconfigure.topology.CommandRecorder;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceObserver;
import io.mongolb.autoconfigure.topology.TrackedService;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * Binds meters per service (mongos) of a {@link LoadBalancedTopology} to a registry:
 * <ul>
 * <li>{@code mongodb.lb.commands}: timer of the commands each service served, from the
 * driver's elapsed time; tags {@code cluster.id}, {@code service.id},
 * {@code status=success|failure};</li>
 * <li>{@code mongodb.lb.connections}: gauge of each service's pooled connections; tags
 * {@code cluster.id}, {@code service.id},
 * {@code state=open|checked-out|past-leak-threshold};</li>
 * <li>{@code mongodb.lb.pool.clears}: function counter of each service's pool clears;
 * tags {@code cluster.id}, {@code service.id};</li>
 * <li>{@code mongodb.lb.pinned.leaks}: function counter of each service's connections
 * reported as possible leaks; tags {@code cluster.id}, {@code service.id};</li>
 * <li>{@code mongodb.lb.services}: gauge of the services tracked and refused now; tags
 * {@code cluster.id}, {@code state=tracked|untracked};</li>
 * <li>{@code mongodb.lb.services.evicted}: function counter of the services that stopped
 * being tracked (evicted at the bound or expired); tag {@code cluster.id};</li>
 * <li>{@code mongodb.lb.commands.untracked}: function counter of the commands served by
 * services that were not tracked; tag {@code cluster.id}.</li>
 * </ul>
 * There are never more {@code service.id} values per meter name than the topology tracks
 * services: a service's meters are removed from the registry (and from the registries of
 * a composite) when it is evicted or expires, and every meter goes when the topology
 * closes. A service that comes back gets fresh meters. Meters are created once per
 * service; recording a command into them takes no lock and allocates nothing.
 *
 * @since 0.1.0
 */
public class LoadBalancedMeterBinder implements MeterBinder {

	private final LoadBalancedTopology topology;

	/**
	 * Create a binder for the given topology.
	 * @param topology the topology model whose services to measure
	 */
	public LoadBalancedMeterBinder(LoadBalancedTopology topology) {
		this.topology = topology;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.topology.addServiceObserver(new RegistryMeters(registry, this.topology));
	}

	/**
	 * The meters of one topology in one registry. Every method runs under the topology's
	 * lock, one at a time, so the maps need none of their own.
	 */
	private static final class RegistryMeters implements ServiceObserver {

		private final MeterRegistry registry;

		private final LoadBalancedTopology topology;

		private final List<Meter> topologyMeters = new ArrayList<>();

		private final Map<ObjectId, List<Meter>> serviceMeters = new HashMap<>();

		private Tags topologyTags = Tags.empty();

		RegistryMeters(MeterRegistry registry, LoadBalancedTopology topology) {
			this.registry = registry;
			this.topology = topology;
		}

		@Override
		public void topologyOpened(ClusterId clusterId) {
			this.topologyTags = Tags.of(MeterNames.CLUSTER_ID, clusterId.getValue());
			LoadBalancedTopology model = this.topology;
			this.topologyMeters.add(Gauge.builder(MeterNames.SERVICES, model, LoadBalancedTopology::trackedServiceCount)
				.description("Services (mongos behind the load balancer) tracked now")
				.tags(this.topologyTags)
				.tag("state", "tracked")
				.strongReference(true)
				.register(this.registry));
			this.topologyMeters
				.add(Gauge.builder(MeterNames.SERVICES, model, LoadBalancedTopology::untrackedServiceCount)
					.description("Services (mongos behind the load balancer) tracked now")
					.tags(this.topologyTags)
					.tag("state", "untracked")
					.strongReference(true)
					.register(this.registry));
			this.topologyMeters.add(FunctionCounter
				.builder(MeterNames.SERVICES_EVICTED, model, LoadBalancedTopology::evictedServiceCount)
				.description("Services that stopped being tracked: evicted at the bound or expired when idle")
				.tags(this.topologyTags)
				.register(this.registry));
			this.topologyMeters.add(FunctionCounter
				.builder(MeterNames.COMMANDS_UNTRACKED, model, LoadBalancedTopology::untrackedCommandCount)
				.description("Commands served by services that were not tracked, at the bound on tracked services")
				.tags(this.topologyTags)
				.register(this.registry));
		}

		@Override
		public @Nullable CommandRecorder serviceTracked(TrackedService service) {
			Tags tags = this.topologyTags.and(MeterNames.SERVICE_ID, service.serviceIdHex());
			List<Meter> meters = new ArrayList<>(8);
			Timer succeeded = commandTimer(tags, "success");
			Timer failed = commandTimer(tags, "failure");
			meters.add(succeeded);
			meters.add(failed);
			meters.add(connections(service, tags, "open", TrackedService::openConnections));
			meters.add(connections(service, tags, "checked-out", TrackedService::checkedOutConnections));
			meters.add(connections(service, tags, "past-leak-threshold", TrackedService::connectionsPastLeakThreshold));
			meters.add(FunctionCounter.builder(MeterNames.POOL_CLEARS, service, TrackedService::poolClears)
				.description("Times the driver cleared the service's connections from the pool after an error")
				.tags(tags)
				.register(this.registry));
			meters.add(FunctionCounter.builder(MeterNames.PINNED_LEAKS, service, TrackedService::pinnedConnectionLeaks)
				.description("Connections to the service reported as possible leaks: checked out (pinned by a "
						+ "cursor or transaction) past the leak threshold, once per check-out")
				.tags(tags)
				.register(this.registry));
			List<Meter> previous = this.serviceMeters.put(service.serviceId(), meters);
			if (previous != null) {
				removeAll(previous);
			}
			return new TimerRecorder(succeeded, failed);
		}

		@Override
		public void serviceRemoved(TrackedService service, Removal reason) {
			List<Meter> meters = this.serviceMeters.remove(service.serviceId());
			if (meters != null) {
				removeAll(meters);
			}
		}

		@Override
		public void topologyClosed(ClusterId clusterId) {
			for (List<Meter> meters : this.serviceMeters.values()) {
				removeAll(meters);
			}
			this.serviceMeters.clear();
			removeAll(this.topologyMeters);
			this.topologyMeters.clear();
		}

		private Timer commandTimer(Tags tags, String status) {
			return Timer.builder(MeterNames.COMMANDS)
				.description("Commands served by one service (mongos) behind the load balancer")
				.tags(tags)
				.tag("status", status)
				.register(this.registry);
		}

		private Gauge connections(TrackedService service, Tags tags, String state,
				java.util.function.ToDoubleFunction<TrackedService> count) {
			return Gauge.builder(MeterNames.CONNECTIONS, service, count)
				.description("Pooled connections to one service (mongos) behind the load balancer")
				.tags(tags)
				.tag("state", state)
				.baseUnit("connections")
				.strongReference(true)
				.register(this.registry);
		}

		private void removeAll(List<Meter> meters) {
			for (Meter meter : meters) {
				this.registry.remove(meter);
			}
		}

	}

	/**
	 * Records into a service's two timers: a field read and a timer update per command.
	 */
	private record TimerRecorder(Timer succeeded, Timer failed) implements CommandRecorder {

		@Override
		public void commandSucceeded(long elapsedNanos) {
			this.succeeded.record(elapsedNanos, TimeUnit.NANOSECONDS);
		}

		@Override
		public void commandFailed(long elapsedNanos) {
			this.failed.record(elapsedNanos, TimeUnit.NANOSECONDS);
		}

	}

}
