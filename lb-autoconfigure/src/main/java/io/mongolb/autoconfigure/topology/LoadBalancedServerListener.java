package io.mongolb.autoconfigure.topology;

import com.mongodb.connection.ServerDescription;
import com.mongodb.event.ServerClosedEvent;
import com.mongodb.event.ServerDescriptionChangedEvent;
import com.mongodb.event.ServerListener;
import com.mongodb.event.ServerOpeningEvent;

/**
 * Keeps the LoadBalancer server's description and records its SDAM events. In
 * load-balanced mode the driver has one server, the balancer, and no monitor: these
 * events come at open and close only.
 */
final class LoadBalancedServerListener implements ServerListener {

	private final TopologyDescriptions descriptions;

	private final EventLog events;

	LoadBalancedServerListener(TopologyDescriptions descriptions, EventLog events) {
		this.descriptions = descriptions;
		this.events = events;
	}

	@Override
	public void serverOpening(ServerOpeningEvent event) {
		this.events.record(LoadBalancedEvent.Type.SERVER_OPENING, null,
				"Server " + event.getServerId().getAddress() + " opening");
	}

	@Override
	public void serverDescriptionChanged(ServerDescriptionChangedEvent event) {
		ServerDescription next = event.getNewDescription();
		this.descriptions.server(next);
		this.events.record(LoadBalancedEvent.Type.SERVER_DESCRIPTION_CHANGED, null, next.getAddress() + " "
				+ SpecNames.of(event.getPreviousDescription().getType()) + " -> " + SpecNames.of(next.getType()));
	}

	@Override
	public void serverClosed(ServerClosedEvent event) {
		this.events.record(LoadBalancedEvent.Type.SERVER_CLOSED, null,
				"Server " + event.getServerId().getAddress() + " closed");
	}

}
