package io.mongolb.sample;

import java.util.LinkedHashSet;
import java.util.Set;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandSucceededEvent;
import jakarta.servlet.http.HttpServletResponse;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * Shows which mongos served an HTTP request: a driver {@link CommandListener} that, while
 * a request is being handled on the current thread, sets the response header
 * {@value #HEADER} to the serviceIds of the connections its commands ran on (in
 * load-balanced mode each connection is bound to one mongos, which the driver learns from
 * the handshake).
 * <p>
 * The synchronous driver fires command events on the thread that runs the operation, so a
 * thread-local ties them to the request. Commands outside a request (health checks,
 * start-up) are ignored.
 */
public class ServiceIdRecorder implements CommandListener {

	/** The response header that names the serviceIds. */
	public static final String HEADER = "X-Mongo-Service-Id";

	private final ThreadLocal<Recording> current = new ThreadLocal<>();

	/**
	 * Starts recording for the request handled by the current thread.
	 * @param response the response to set the header on
	 */
	public void begin(HttpServletResponse response) {
		this.current.set(new Recording(response));
	}

	/**
	 * Stops recording on the current thread.
	 */
	public void end() {
		this.current.remove();
	}

	@Override
	public void commandSucceeded(CommandSucceededEvent event) {
		record(event.getConnectionDescription().getServiceId());
	}

	@Override
	public void commandFailed(CommandFailedEvent event) {
		// A failure is when it matters most which mongos answered.
		record(event.getConnectionDescription().getServiceId());
	}

	private void record(@Nullable ObjectId serviceId) {
		Recording recording = this.current.get();
		if (recording == null || serviceId == null) {
			return;
		}
		if (recording.serviceIds.add(serviceId.toHexString()) && !recording.response.isCommitted()) {
			recording.response.setHeader(HEADER, String.join(",", recording.serviceIds));
		}
	}

	private static final class Recording {

		private final HttpServletResponse response;

		private final Set<String> serviceIds = new LinkedHashSet<>(2);

		private Recording(HttpServletResponse response) {
			this.response = response;
		}

	}

}
