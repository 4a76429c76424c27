package io.mongolb.embedded.server;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.ProtocolDetectionResult;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;

/**
 * First stage of a load-balancer port connection: waits (bounded) for the start of a PROXY protocol header, closes the
 * connection when the bytes cannot be one, and otherwise hands over to Netty's {@link HAProxyMessageDecoder}.
 */
final class ProxyHeaderGate extends ByteToMessageDecoder {

	static final Logger logger = LoggerFactory.getLogger(ProxyHeaderGate.class);

	private static final int SHOWN_BYTES = 32;

	private final FrontServer front;

	private final ConnectionState state;

	ProxyHeaderGate(FrontServer front, ConnectionState state) {
		this.front = front;
		this.state = state;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) throws Exception {
		long timeoutMillis = this.front.settings().proxyHeaderTimeout().toMillis();
		this.state.proxyHeaderTimeout = ctx.executor().schedule(() -> {
			if (!this.state.proxyHeaderReceived && ctx.channel().isActive()) {
				rejectHeader(ctx, "no complete header within " + timeoutMillis + " ms");
			}
		}, timeoutMillis, TimeUnit.MILLISECONDS);
		super.channelActive(ctx);
	}

	@Override
	protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
		ProtocolDetectionResult<HAProxyProtocolVersion> result = HAProxyMessageDecoder.detectProtocol(in);
		switch (result.state()) {
			case NEEDS_MORE_DATA -> {
			}
			case INVALID -> {
				String shown = ByteBufUtil.hexDump(in, in.readerIndex(), Math.min(SHOWN_BYTES, in.readableBytes()));
				in.skipBytes(in.readableBytes());
				rejectHeader(ctx, "0x" + shown);
			}
			case DETECTED -> {
				ctx.pipeline()
					.addAfter(ctx.name(), "haproxyDecoder", new HAProxyMessageDecoder())
					.addAfter("haproxyDecoder", "haproxyMessage", new ProxyHeaderHandler());
				// Removing this decoder passes the bytes read so far on to the HAProxy decoder.
				ctx.pipeline().remove(this);
			}
		}
	}

	void rejectHeader(ChannelHandlerContext ctx, String detail) {
		logger.warn("Front {} load-balancer port, connection from {}: Initial Proxy Protocol header bytes invalid: {}; "
				+ "Make sure your proxy is configured to emit a Proxy Protocol header. Closing the connection.",
				this.front.index(), ctx.channel().remoteAddress(), detail);
		ctx.channel().close();
	}

	/**
	 * Receives the decoded PROXY header, or the decoder's failure.
	 */
	final class ProxyHeaderHandler extends ChannelInboundHandlerAdapter {

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
			if (msg instanceof HAProxyMessage header) {
				try {
					ProxyHeaderGate.this.state.proxyHeaderReceived = true;
					if (ProxyHeaderGate.this.state.proxyHeaderTimeout != null) {
						ProxyHeaderGate.this.state.proxyHeaderTimeout.cancel(false);
					}
					ProxyHeaderGate.this.front.proxyHeaderReceived(header.protocolVersion(), header.command());
					logger.debug("Front {}: PROXY {} {} header, client {}:{}", ProxyHeaderGate.this.front.index(),
							header.protocolVersion(), header.command(), header.sourceAddress(), header.sourcePort());
				}
				finally {
					header.release();
				}
				ctx.pipeline().remove(this);
				return;
			}
			super.channelRead(ctx, msg);
		}

		@Override
		public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
			if (!ProxyHeaderGate.this.state.proxyHeaderReceived) {
				Throwable reason = (cause instanceof DecoderException && cause.getCause() != null) ? cause.getCause()
						: cause;
				rejectHeader(ctx, String.valueOf(reason.getMessage()));
				return;
			}
			super.exceptionCaught(ctx, cause);
		}

	}

}
