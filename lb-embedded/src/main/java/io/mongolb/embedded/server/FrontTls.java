package io.mongolb.embedded.server;

import java.util.function.Function;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TLS on a load-balancer port, as behind a TCP balancer in passthrough mode: the balancer
 * writes its PROXY header in clear, then relays the client's TLS bytes. The TLS handler
 * sits right behind the {@link ProxyHeaderGate}, which holds every byte back until the
 * header is read and then passes on what follows it, so TLS only ever sees the bytes
 * after the header. A client that speaks plain text, or whose handshake fails, is logged
 * once in plain words and its connection closed.
 */
final class FrontTls {

	private static final Logger logger = LoggerFactory.getLogger(FrontTls.class);

	private FrontTls() {
	}

	/**
	 * Returns what makes a server-side TLS handler from a JDK context.
	 * @param sslContext a context initialised with the server's key managers
	 * @return the handler factory
	 */
	static Function<ByteBufAllocator, SslHandler> handlers(SSLContext sslContext) {
		return (alloc) -> {
			SSLEngine engine = sslContext.createSSLEngine();
			engine.setUseClientMode(false);
			return new SslHandler(engine);
		};
	}

	/**
	 * Returns what makes a server-side TLS handler from a Netty context.
	 * @param sslContext a server-side Netty context
	 * @return the handler factory
	 */
	static Function<ByteBufAllocator, SslHandler> handlers(SslContext sslContext) {
		return sslContext::newHandler;
	}

	/**
	 * Adds the TLS handler and its failure handler after the PROXY header gate.
	 * @param pipeline the connection's pipeline, with the gate already in it
	 * @param tls makes the connection's server-side TLS handler
	 * @param identity the front, for log lines
	 */
	static void addAfterProxyHeader(ChannelPipeline pipeline, Function<ByteBufAllocator, SslHandler> tls,
			FrontIdentity identity) {
		pipeline.addLast("tls", tls.apply(pipeline.channel().alloc()))
			.addLast("tlsFailures", new TlsFailures(identity));
	}

	/**
	 * Turns a TLS failure into one clear log line and a closed connection, instead of a
	 * stack trace from the handlers after it.
	 */
	private static final class TlsFailures extends ChannelInboundHandlerAdapter {

		private final FrontIdentity identity;

		TlsFailures(FrontIdentity identity) {
			this.identity = identity;
		}

		@Override
		public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
			if (evt instanceof SslHandshakeCompletionEvent completion && completion.isSuccess()) {
				logger.debug("Front {} load-balancer port, connection from {}: TLS handshake done",
						this.identity.index(), ctx.channel().remoteAddress());
			}
			super.userEventTriggered(ctx, evt);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
			Throwable reason = (cause instanceof DecoderException && cause.getCause() != null) ? cause.getCause()
					: cause;
			if (reason instanceof NotSslRecordException) {
				logger.warn(
						"Front {} load-balancer port, connection from {}: the bytes after the PROXY header are "
								+ "not TLS, but this port requires TLS: connect with tls=true (and trust the port's "
								+ "certificate). Closing the connection.",
						this.identity.index(), ctx.channel().remoteAddress());
				ctx.close();
				return;
			}
			if (reason instanceof SSLHandshakeException || reason instanceof SSLException) {
				logger.warn("Front {} load-balancer port, connection from {}: TLS failed: {}. Closing the connection.",
						this.identity.index(), ctx.channel().remoteAddress(), reason.getMessage());
				ctx.close();
				return;
			}
			super.exceptionCaught(ctx, cause);
		}

	}

}
