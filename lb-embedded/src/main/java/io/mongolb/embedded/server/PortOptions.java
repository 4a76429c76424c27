package io.mongolb.embedded.server;

import java.util.function.Function;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;

/**
 * What the ports of every front add to their defaults, set through the builder: a
 * mongod-style proxy port, and TLS on the load-balancer ports. Kept apart from
 * {@link EmbeddedLoadBalancedMongoSettings} because a TLS context is not a setting that
 * can be compared, printed or read from a property.
 *
 * @param mongodProxyPort whether each front also opens a port that acts as a standalone
 * mongod behind a proxy (mongod's {@code proxyPort}): PROXY header required, no
 * {@code serviceId}
 * @param tls makes the server-side TLS handler of each load-balancer port connection,
 * {@code null} for plain text (the default)
 */
record PortOptions(boolean mongodProxyPort, @Nullable Function<ByteBufAllocator, SslHandler> tls) {

	/** No proxy port, no TLS: the ports as they are without these options. */
	static final PortOptions DEFAULT = new PortOptions(false, null);

	PortOptions withMongodProxyPort(boolean mongodProxyPort) {
		return new PortOptions(mongodProxyPort, this.tls);
	}

	PortOptions withTls(@Nullable Function<ByteBufAllocator, SslHandler> tls) {
		return new PortOptions(this.mongodProxyPort, tls);
	}

}
