package io.mongolb.embedded.server;

import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.ChannelHandlerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mongod-style proxy port of a front (mongod's {@code proxyPort}): the connection
 * must begin with a PROXY header, as on the load-balancer port, but is then answered as a
 * standalone mongod: its {@code hello} has no {@code msg: isdbgrid} and no
 * {@code serviceId}. A {@code loadBalanced: true} in the hello is ignored, as mongod's
 * hello command ignores it (the field is parsed, never read); the driver then refuses the
 * connection itself, because the reply has no {@code serviceId}.
 */
final class MongodProxyPort {

	private static final Logger logger = LoggerFactory.getLogger(MongodProxyPort.class);

	private MongodProxyPort() {
	}

	/**
	 * Notes a hello on the proxy port: a first hello that asks for load-balanced mode is
	 * logged once, since the driver will give up on the reply.
	 * @param identity the front
	 * @param ctx the connection
	 * @param first whether this is the connection's first hello
	 * @param command the hello command
	 */
	static void hello(FrontIdentity identity, ChannelHandlerContext ctx, boolean first, Document command) {
		if (first && Utils.isTrue(command.get("loadBalanced"))) {
			logger.info(
					"Front {} mongod proxy port, connection from {}: a load-balanced client connected; "
							+ "answered as mongod answers it, without a serviceId (a mongod cannot be used in "
							+ "load-balanced mode: connect without loadBalanced=true, or to a load-balancer port)",
					identity.index(), ctx.channel().remoteAddress());
		}
	}

}
