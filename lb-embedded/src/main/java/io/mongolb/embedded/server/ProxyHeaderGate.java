package io.mongolb.embedded.server;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
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
 * First stage of a load-balancer port connection, until its PROXY protocol header is read: waits (bounded by the
 * header timeout, which this class alone arms and cancels) for the start of a header, closes the connection when the
 * bytes cannot be one, and otherwise passes the bytes on to Netty's {@link HAProxyMessageDecoder}, which it puts after
 * itself. It leaves the pipeline once the header is decoded; a rejected header closes the connection with mongos's
 * wording.
 */
final class ProxyHeaderGate extends ByteToMessageDecoder {

	private static final Logger logger = LoggerFactory.getLogger(ProxyHeaderGate.class);

	private static final int SHOWN_BYTES = 32;

	private final FrontIdentity identity;

	private final Duration timeout;

	private final ConnectionCounters counters;

	/** Armed when the connection opens, cancelled when the header is read or the connection closes. */
	private ScheduledFuture<?> timeoutTask;

	/** The bytes began a PROXY header: they go on to the decoder. */
	private boolean detected;

	/** The whole header was read. */
	private boolean received;

	ProxyHeaderGate(FrontIdentity identity, Duration timeout, ConnectionCounters counters) {
		this.identity = identity;
		this.timeout = timeout;
		this.counters = counters;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) throws Exception {
		long timeoutMillis = this.timeout.toMillis();
		this.timeoutTask = ctx.executor().schedule(() -> {
			if (!this.received && ctx.channel().isActive()) {
				rejectHeader(ctx, "no complete header within " + timeoutMillis + " ms");
			}
		}, timeoutMillis, TimeUnit.MILLISECONDS);
		super.channelActive(ctx);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		cancelTimeout();
		super.channelInactive(ctx);
	}

	@Override
	protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
		if (this.detected) {
			out.add(in.readRetainedSlice(in.readableBytes()));
			return;
		}
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
				this.detected = true;
				ctx.pipeline()
					.addAfter(ctx.name(), "haproxyDecoder", new HAProxyMessageDecoder())
					.addAfter("haproxyDecoder", "haproxyMessage", new ProxyHeaderHandler(ctx));
				out.add(in.readRetainedSlice(in.readableBytes()));
			}
		}
	}

	private void headerReceived(ChannelHandlerContext gate, HAProxyMessage header) {
		this.received = true;
		cancelTimeout();
		this.counters.proxyHeaderReceived(header.protocolVersion(), header.command());
		logger.debug("Front {}: PROXY {} {} header, client {}:{}", this.identity.index(), header.protocolVersion(),
				header.command(), header.sourceAddress(), header.sourcePort());
		gate.pipeline().remove(this);
	}

	private void cancelTimeout() {
		if (this.timeoutTask != null) {
			this.timeoutTask.cancel(false);
			this.timeoutTask = null;
		}
	}

	private void rejectHeader(ChannelHandlerContext ctx, String detail) {
		logger.warn("Front {} load-balancer port, connection from {}: Initial Proxy Protocol header bytes invalid: {}; "
				+ "Make sure your proxy is configured to emit a Proxy Protocol header. Closing the connection.",
				this.identity.index(), ctx.channel().remoteAddress(), detail);
		ctx.channel().close();
	}

	/**
	 * Receives the decoded PROXY header, or the decoder's failure, and reports it to the gate.
	 */
	private final class ProxyHeaderHandler extends ChannelInboundHandlerAdapter {

		private final ChannelHandlerContext gate;

		ProxyHeaderHandler(ChannelHandlerContext gate) {
			this.gate = gate;
		}

		@Override
		public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
			if (msg instanceof HAProxyMessage header) {
				try {
					headerReceived(this.gate, header);
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
			if (!ProxyHeaderGate.this.received) {
				Throwable reason = (cause instanceof DecoderException && cause.getCause() != null) ? cause.getCause()
						: cause;
				rejectHeader(ctx, String.valueOf(reason.getMessage()));
				return;
			}
			super.exceptionCaught(ctx, cause);
		}

	}

}
