package io.mongolb.embedded.proxy;

import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;

/**
 * The version of the PROXY protocol header a load balancer writes at the start of each
 * upstream connection.
 *
 * @since 0.1.0
 * @see <a href="https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt">The PROXY
 * protocol</a>
 */
public enum ProxyProtocolVersion {

	/**
	 * Version 1: a human-readable text line such as
	 * {@code PROXY TCP4 127.0.0.1 127.0.0.1 50000 27017\r\n} (HAProxy's
	 * {@code send-proxy}).
	 * @since 0.1.0
	 */
	V1(HAProxyProtocolVersion.V1),

	/**
	 * Version 2: the binary header (HAProxy's {@code send-proxy-v2}, what mongos
	 * deployments usually use).
	 * @since 0.1.0
	 */
	V2(HAProxyProtocolVersion.V2);

	private final HAProxyProtocolVersion nettyVersion;

	ProxyProtocolVersion(HAProxyProtocolVersion nettyVersion) {
		this.nettyVersion = nettyVersion;
	}

	HAProxyProtocolVersion toNetty() {
		return this.nettyVersion;
	}

}
