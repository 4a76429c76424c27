package io.mongolb.autoconfigure.topology;

import java.util.List;

import com.mongodb.connection.ClusterDescription;
import com.mongodb.connection.ServerDescription;
import com.mongodb.event.ClusterClosedEvent;
import com.mongodb.event.ClusterDescriptionChangedEvent;
import com.mongodb.event.ClusterListener;
import com.mongodb.event.ClusterOpeningEvent;

/**
 * Keeps the topology description, records the topology's SDAM events, and tells the
 * registry when the topology opens and closes.
 */
final class LoadBalancedClusterListener implements ClusterListener {

	private final TopologyDescriptions descriptions;

	private final EventLog events;

	private final ServiceRegistry registry;

	LoadBalancedClusterListener(TopologyDescriptions descriptions, EventLog events, ServiceRegistry registry) {
		this.descriptions = descriptions;
		this.events = events;
		this.registry = registry;
	}

	@Override
	public void clusterOpening(ClusterOpeningEvent event) {
		this.registry.topologyOpened(event.getClusterId());
		this.events.record(LoadBalancedEvent.Type.TOPOLOGY_OPENING, null,
				"Topology " + event.getClusterId().getValue() + " opening");
	}

	@Override
	public void clusterDescriptionChanged(ClusterDescriptionChangedEvent event) {
		ClusterDescription next = event.getNewDescription();
		this.descriptions.cluster(next);
		this.events.record(LoadBalancedEvent.Type.TOPOLOGY_DESCRIPTION_CHANGED, null,
				describe(event.getPreviousDescription()) + " -> " + describe(next));
	}

	@Override
	public void clusterClosed(ClusterClosedEvent event) {
		this.events.record(LoadBalancedEvent.Type.TOPOLOGY_CLOSED, null,
				"Topology " + event.getClusterId().getValue() + " closed");
		this.registry.topologyClosed(event.getClusterId());
	}

	private static String describe(ClusterDescription description) {
		StringBuilder text = new StringBuilder(SpecNames.of(description.getType())).append(" [");
		List<ServerDescription> servers = description.getServerDescriptions();
		for (int i = 0; i < servers.size(); i++) {
			text.append((i > 0) ? ", " : "")
				.append(servers.get(i).getAddress())
				.append(' ')
				.append(SpecNames.of(servers.get(i).getType()));
		}
		return text.append(']').toString();
	}

}
