package io.mongolb.sample;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The embedded fronts, for the live view's buttons: list them, stop one (as a mongos
 * shutdown would) and start it again (with a new serviceId), so that a person sees
 * failover happen.
 * <p>
 * Only on the embedded default: when the sample talks to another server every request
 * answers 404, and the live view hides its buttons (it reads the mode from
 * {@code /actuator/info}). An index out of range, or not a number, answers 400.
 */
@RestController
@RequestMapping("/api/fronts")
class FrontController {

	private static final Log logger = LogFactory.getLog(FrontController.class);

	private final ObjectProvider<ConnectionMode> connectionMode;

	private final ObjectProvider<EmbeddedLoadBalancedMongo> embedded;

	// Both asked on each request: resolving the connection mode while the controller is
	// created would come before, and hide, the starter's report on an invalid connection.
	FrontController(ObjectProvider<ConnectionMode> connectionMode, ObjectProvider<EmbeddedLoadBalancedMongo> embedded) {
		this.connectionMode = connectionMode;
		this.embedded = embedded;
	}

	@GetMapping
	Map<String, Object> list() {
		EmbeddedLoadBalancedMongo mongo = mongo();
		List<Map<String, Object>> fronts = new ArrayList<>();
		for (int index = 0; index < mongo.getFrontCount(); index++) {
			fronts.add(describe(mongo, index));
		}
		return Map.of("fronts", fronts);
	}

	@PostMapping("/{index}/stop")
	Map<String, Object> stop(@PathVariable int index) {
		EmbeddedLoadBalancedMongo mongo = mongo();
		checkIndex(mongo, index);
		if (mongo.isFrontRunning(index)) {
			logger.info("Stopping front " + index + " (serviceId " + mongo.getServiceId(index).toHexString()
					+ ") at the live view's request");
			mongo.stopFront(index);
		}
		return describe(mongo, index);
	}

	@PostMapping("/{index}/start")
	Map<String, Object> start(@PathVariable int index) {
		EmbeddedLoadBalancedMongo mongo = mongo();
		checkIndex(mongo, index);
		if (!mongo.isFrontRunning(index)) {
			mongo.startFront(index);
			logger.info("Started front " + index + " again at the live view's request: new serviceId "
					+ mongo.getServiceId(index).toHexString());
		}
		return describe(mongo, index);
	}

	@ExceptionHandler(NoEmbeddedFrontsException.class)
	ProblemDetail handleNoEmbeddedFronts(NoEmbeddedFrontsException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, ex.getMessage());
		problem.setTitle("No embedded fronts");
		return problem;
	}

	@ExceptionHandler(NoSuchFrontException.class)
	ProblemDetail handleNoSuchFront(NoSuchFrontException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
		problem.setTitle("No such front");
		problem.setProperty("index", ex.index);
		problem.setProperty("fronts", ex.fronts);
		return problem;
	}

	private EmbeddedLoadBalancedMongo mongo() {
		EmbeddedLoadBalancedMongo mongo = this.embedded.getIfAvailable();
		if (mongo == null || !this.connectionMode.getObject().embedded()) {
			throw new NoEmbeddedFrontsException();
		}
		return mongo;
	}

	private static void checkIndex(EmbeddedLoadBalancedMongo mongo, int index) {
		if (index < 0 || index >= mongo.getFrontCount()) {
			throw new NoSuchFrontException(index, mongo.getFrontCount());
		}
	}

	private static Map<String, Object> describe(EmbeddedLoadBalancedMongo mongo, int index) {
		Map<String, Object> front = new LinkedHashMap<>();
		front.put("index", index);
		// The current serviceId; a stopped front keeps its last one until it starts
		// again.
		front.put("serviceId", mongo.getServiceId(index).toHexString());
		front.put("running", mongo.isFrontRunning(index));
		front.put("loadBalancerPort", mongo.getLoadBalancerPort(index));
		return front;
	}

	/**
	 * The sample is not on the embedded default: there is no front to stop.
	 */
	static final class NoEmbeddedFrontsException extends RuntimeException {

		NoEmbeddedFrontsException() {
			super("The sample is not running the embedded load-balanced MongoDB (spring.mongodb.uri or "
					+ "spring.mongodb.host is set): its fronts can be stopped and started only on the embedded "
					+ "default");
		}

	}

	/**
	 * An index that names no front.
	 */
	static final class NoSuchFrontException extends RuntimeException {

		private final int index;

		private final int fronts;

		NoSuchFrontException(int index, int fronts) {
			super("No front " + index + ": the index is 0 to " + (fronts - 1) + " (mongodb.load-balanced.embedded"
					+ ".fronts=" + fronts + ")");
			this.index = index;
			this.fronts = fronts;
		}

	}

}
