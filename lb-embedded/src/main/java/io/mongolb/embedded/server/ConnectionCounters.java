package io.mongolb.embedded.server;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;

/**
 * The connection counts of one front, as its {@code serverStatus} reports them, and the
 * PROXY protocol headers its load-balancer port has received. Updated from the
 * connections' event loops, read by monitoring.
 */
final class ConnectionCounters {

	private final AtomicInteger current = new AtomicInteger();

	private final AtomicLong totalCreated = new AtomicLong();

	private final AtomicInteger loadBalanced = new AtomicInteger();

	private final AtomicLong proxyHeadersV1 = new AtomicLong();

	private final AtomicLong proxyHeadersV2 = new AtomicLong();

	private final AtomicLong proxyHeadersV2Local = new AtomicLong();

	void connectionOpened() {
		this.current.incrementAndGet();
		this.totalCreated.incrementAndGet();
	}

	/**
	 * Counts a closed connection.
	 * @param wasLoadBalanced whether its handshake made it a load-balanced one
	 */
	void connectionClosed(boolean wasLoadBalanced) {
		this.current.decrementAndGet();
		if (wasLoadBalanced) {
			this.loadBalanced.decrementAndGet();
		}
	}

	void loadBalancedHandshake() {
		this.loadBalanced.incrementAndGet();
	}

	void proxyHeaderReceived(HAProxyProtocolVersion version, HAProxyCommand command) {
		if (version == HAProxyProtocolVersion.V1) {
			this.proxyHeadersV1.incrementAndGet();
		}
		else if (command == HAProxyCommand.LOCAL) {
			this.proxyHeadersV2Local.incrementAndGet();
		}
		else {
			this.proxyHeadersV2.incrementAndGet();
		}
	}

	int current() {
		return this.current.get();
	}

	long totalCreated() {
		return this.totalCreated.get();
	}

	int loadBalanced() {
		return this.loadBalanced.get();
	}

	ProxyHeaderCounts proxyHeaderCounts() {
		return new ProxyHeaderCounts(this.proxyHeadersV1.get(), this.proxyHeadersV2.get(),
				this.proxyHeadersV2Local.get());
	}

}
