package io.mongolb.embedded.server;

/**
 * How many PROXY protocol headers a front's load-balancer port has received since the
 * cluster started, by kind. The three counts are disjoint.
 *
 * @param v1 version 1 headers ({@code PROXY TCP4 ...}, {@code PROXY UNKNOWN}): what
 * HAProxy's {@code send-proxy} writes
 * @param v2 version 2 headers with the {@code PROXY} command: what HAProxy's
 * {@code send-proxy-v2} writes for relayed connections
 * @param v2Local version 2 headers with the {@code LOCAL} command: what HAProxy's
 * {@code send-proxy-v2} writes for its own health checks
 * @since 0.1.0
 */
public record ProxyHeaderCounts(long v1, long v2, long v2Local) {

	/**
	 * Returns the number of headers of every kind.
	 * @return {@code v1 + v2 + v2Local}
	 * @since 0.1.0
	 */
	public long total() {
		return this.v1 + this.v2 + this.v2Local;
	}

}
