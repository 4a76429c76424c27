package io.mongolb.embedded.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.event.ConnectionPoolClearedEvent;
import com.mongodb.event.ConnectionPoolListener;
import org.bson.types.ObjectId;

/**
 * Records the command and pool events a test asserts on.
 */
public final class RecordingListener implements CommandListener, ConnectionPoolListener {

	public final List<CommandStartedEvent> started = new CopyOnWriteArrayList<>();

	public final List<CommandSucceededEvent> succeeded = new CopyOnWriteArrayList<>();

	public final List<CommandFailedEvent> failed = new CopyOnWriteArrayList<>();

	public final List<ConnectionPoolClearedEvent> cleared = new CopyOnWriteArrayList<>();

	@Override
	public void commandStarted(CommandStartedEvent event) {
		this.started.add(event);
	}

	@Override
	public void commandSucceeded(CommandSucceededEvent event) {
		this.succeeded.add(event);
	}

	@Override
	public void commandFailed(CommandFailedEvent event) {
		this.failed.add(event);
	}

	@Override
	public void connectionPoolCleared(ConnectionPoolClearedEvent event) {
		this.cleared.add(event);
	}

	/**
	 * Returns the serviceIds of every started command event, null ones included.
	 */
	public List<ObjectId> startedServiceIds() {
		return this.started.stream().map((event) -> event.getConnectionDescription().getServiceId()).toList();
	}

}
