package io.mongolb.autoconfigure.metrics;

/**
 * The names of the starter's meters and tags.
 */
final class MeterNames {

	static final String COMMANDS = "mongodb.lb.commands";

	static final String CONNECTIONS = "mongodb.lb.connections";

	static final String POOL_CLEARS = "mongodb.lb.pool.clears";

	static final String PINNED_LEAKS = "mongodb.lb.pinned.leaks";

	static final String SERVICES = "mongodb.lb.services";

	static final String SERVICES_EVICTED = "mongodb.lb.services.evicted";

	static final String COMMANDS_UNTRACKED = "mongodb.lb.commands.untracked";

	static final String CLUSTER_ID = "cluster.id";

	static final String SERVICE_ID = "service.id";

	/** Micrometer's timer of driver commands, which Spring Boot registers. */
	static final String DRIVER_COMMANDS = "mongodb.driver.commands";

	private MeterNames() {
	}

}
