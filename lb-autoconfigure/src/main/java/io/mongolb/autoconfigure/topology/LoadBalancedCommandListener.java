package io.mongolb.autoconfigure.topology;

import java.time.Clock;
import java.util.concurrent.TimeUnit;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandSucceededEvent;

/**
 * Counts commands per service and hands them to the service's {@link CommandRecorder}s:
 * the hot path. Once a service and a connection are known, a command takes no lock and
 * allocates nothing (a failure allocates one small holder for its error).
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
		ConnectionTable.Entry connection = this.registry.connectionOf(event.getConnectionDescription());
		if (connection != null) {
			connection.service.commandSucceeded(event.getElapsedTime(TimeUnit.NANOSECONDS));
			connection.commandSucceeded(event);
		}
	}

	@Override
	public void commandFailed(CommandFailedEvent event) {
		CurrentService.commandCompleted(event.getConnectionDescription().getServiceId());
		ConnectionTable.Entry connection = this.registry.connectionOf(event.getConnectionDescription());
		if (connection != null) {
			connection.service.commandFailed(event.getThrowable(), event.getElapsedTime(TimeUnit.NANOSECONDS),
					this.clock.millis());
		}
	}

}
