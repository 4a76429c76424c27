package io.mongolb.autoconfigure.topology;

import java.time.Instant;
import java.util.List;

import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterType;
import com.mongodb.connection.ServerType;
import org.jspecify.annotations.Nullable;

/**
 * An immutable view of the load-balanced topology at one moment.
 *
 * @param takenAt when the snapshot was taken
 * @param topologyType the driver's topology type: {@link ClusterType#LOAD_BALANCED} once
 * the client is open in load-balanced mode, {@link ClusterType#UNKNOWN} before it opens
 * @param loadBalancerAddress the address of the one server, the load balancer, or
 * {@code null} before it opens
 * @param serverType the type of that server: {@link ServerType#LOAD_BALANCER} once open
 * @param openConnections connections in the driver's pool, whether or not correlated with
 * a service yet
 * @param services the services seen, most recently seen first
 * @param evictedServices how many services stopped being tracked: dropped to respect the
 * bound on tracked services, or expired after they were idle with no open connection
 * @param untrackedServices services seen but not tracked now, because every tracked
 * service had open connections when they appeared
 * @param untrackedCommands commands served by services that were not tracked at the time
 * @param recentEvents the most recent events, oldest first
 * @param pinnedConnectionLeaks the connections reported as possible leaks and not yet
 * checked in, longest checked out first
 * @since 0.1.0
 */
public record LoadBalancedTopologySnapshot(Instant takenAt, ClusterType topologyType,
		@Nullable ServerAddress loadBalancerAddress, @Nullable ServerType serverType, int openConnections,
		List<ServiceSnapshot> services, long evictedServices, int untrackedServices, long untrackedCommands,
		List<LoadBalancedEvent> recentEvents, List<PinnedConnectionLeak> pinnedConnectionLeaks) {

	/**
	 * The topology type as the spec names it, e.g. {@code LoadBalanced}.
	 * @return the spec's name of {@link #topologyType()}
	 */
	public String topologyTypeName() {
		return SpecNames.of(this.topologyType);
	}

	/**
	 * The server type as the spec names it, e.g. {@code LoadBalancer}.
	 * @return the spec's name of {@link #serverType()}, or {@code null} before the
	 * topology opens
	 */
	public @Nullable String serverTypeName() {
		return (this.serverType != null) ? SpecNames.of(this.serverType) : null;
	}

}
