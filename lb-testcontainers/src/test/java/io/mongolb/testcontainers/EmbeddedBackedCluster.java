package io.mongolb.testcontainers;

import java.util.concurrent.atomic.AtomicInteger;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;

/**
 * A stand-in for Docker only: a {@link LoadBalancedMongoCluster} whose start does not run
 * containers and whose balancer's "mapped port" is the embedded load-balanced server's
 * in-process balancer (PROXY v2 in front of two mongos-like fronts). All the rest is the
 * real cluster class: its connection string, and Spring Boot's {@code @ServiceConnection}
 * machinery with this module's factory. The three methods overridden are those that would
 * talk to Docker: start, the mapped port and host, and the image name (which
 * Testcontainers resolves by pulling).
 */
class EmbeddedBackedCluster extends LoadBalancedMongoCluster {

	private final EmbeddedLoadBalancedMongo mongo;

	private final AtomicInteger starts = new AtomicInteger();

	EmbeddedBackedCluster(EmbeddedLoadBalancedMongo mongo) {
		this.mongo = mongo;
	}

	int starts() {
		return this.starts.get();
	}

	@Override
	public void start() {
		this.starts.incrementAndGet();
	}

	@Override
	public void stop() {
	}

	@Override
	public String getHost() {
		return this.mongo.getHost();
	}

	@Override
	public Integer getMappedPort(int originalPort) {
		if (originalPort != ClusterPlan.HAPROXY_PORT) {
			throw new IllegalArgumentException("Only HAProxy's port " + ClusterPlan.HAPROXY_PORT + " is exposed");
		}
		if (this.starts.get() == 0) {
			throw new IllegalStateException("Mapped port can only be obtained after the container is started");
		}
		return this.mongo.getBalancerPort();
	}

	@Override
	public String getDockerImageName() {
		return getHaproxyImage().asCanonicalNameString();
	}

}
