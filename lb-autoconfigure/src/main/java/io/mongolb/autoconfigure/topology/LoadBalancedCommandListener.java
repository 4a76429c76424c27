package io.mongolb.autoconfigure.topology;

import java.time.Clock;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandSucceededEvent;

/**
 * Counts commands per service: the hot path. Once a service and a connection are known, a
 * command takes no lock and allocates nothing (a failure allocates one small holder for
 * its error).
 */
final class LoadBalancedCommandListener implements CommandListener {

	private final ServiceRegistry registry;

	private final Clock clock;

	LoadBalancedCommandListener(ServiceRegistry registry, Clock clock) {
		this.registry = registry;
		this.clock = clock;
	}

	@Override
	public void commandSucceeded(CommandSucceededEvent event) {
		CurrentService.commandCompleted(event.getConnectionDescription().getServiceId());
		ServiceState service = this.registry.serviceOf(event.getConnectionDescription());
		if (service != null) {
			service.commandSucceeded();
		}
	}

	@Override
	public void commandFailed(CommandFailedEvent event) {
		CurrentService.commandCompleted(event.getConnectionDescription().getServiceId());
		ServiceState service = this.registry.serviceOf(event.getConnectionDescription());
		if (service != null) {
			service.commandFailed(event.getThrowable(), this.clock.millis());
		}
	}

}
