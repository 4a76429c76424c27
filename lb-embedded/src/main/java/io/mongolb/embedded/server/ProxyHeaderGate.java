package io.mongolb.embedded.server;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.ProtocolDetectionResult;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First stage of a load-balancer port connection, until its PROXY protocol header is
 * read: waits (bounded by the header timeout, which this class alone arms and cancels)
 * for the start of a header and closes the connection when the bytes cannot be one. A
 * version 1 header is read here, strictly ({@link ProxyV1Header}); a version 2 header is
 * passed on to Netty's {@link HAProxyMessageDecoder}, which this class puts after itself.
 * It leaves the pipeline once the header is read; a rejected header closes the connection
 * with mongos's wording.
 */
final class ProxyHeaderGate extends ByteToMessageDecoder {

	private static final Logger logger = LoggerFactory.getLogger(ProxyHeaderGate.class);

	private static final int SHOWN_BYTES = 32;

	private final FrontIdentity identity;

	private final Duration timeout;

	private final ConnectionCounters counters;

	/** The port's name in log lines, e.g. {@code load-balancer}. */
	private final String portName;

	/**
	 * Armed when the connection opens, cancelled when the header is read or the
	 * connection closes.
	 */
	private @Nullable ScheduledFuture<?> timeoutTask;

	/** The bytes began a PROXY header: they go on to the decoder. */
	private boolean detected;

	/** The whole header was read. */
	private boolean received;

	ProxyHeaderGate(FrontIdentity identity, Duration timeout, ConnectionCounters counters) {
		this(identity, timeout, counters, "load-balancer");
	}

	ProxyHeaderGate(FrontIdentity identity, Duration timeout, ConnectionCounters counters, String portName) {
		this.identity = identity;
		this.timeout = timeout;
		this.counters = counters;
		this.portName = portName;
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
				if (result.detectedProtocol() == HAProxyProtocolVersion.V1) {
					readV1(ctx, in);
					return;
				}
				this.detected = true;
				ctx.pipeline()
					.addAfter(ctx.name(), "haproxyDecoder", new HAProxyMessageDecoder())
					.addAfter("haproxyDecoder", "haproxyMessage", new ProxyHeaderHandler(ctx));
				out.add(in.readRetainedSlice(in.readableBytes()));
			}
		}
	}

	/*
	 * Reads a version 1 header line once its CRLF has arrived, refusing at once a byte
	 * that cannot be in one.
	 */
	private void readV1(ChannelHandlerContext ctx, ByteBuf in) {
		int start = in.readerIndex();
		int scanned = Math.min(in.readableBytes(), ProxyV1Header.MAX_LENGTH);
		for (int i = 0; i < scanned; i++) {
			byte b = in.getByte(start + i);
			if (b == '\r') {
				// A CR too late for its LF to fit in the longest header cannot end one:
				// no
				// need to wait for the next byte.
				if (i + 2 > ProxyV1Header.MAX_LENGTH) {
					break;
				}
				if (i + 1 >= in.readableBytes()) {
					return;
				}
				if (in.getByte(start + i + 1) != '\n') {
					rejectV1Bytes(ctx, in, "a CR not followed by LF at offset " + i);
					return;
				}
				String line = in.toString(start, i, StandardCharsets.US_ASCII);
				ProxyV1Header header;
				try {
					header = ProxyV1Header.parse(line);
				}
				catch (IllegalArgumentException ex) {
					in.skipBytes(in.readableBytes());
					rejectHeader(ctx, "version 1 header '" + line + "': " + ex.getMessage());
					return;
				}
				in.skipBytes(i + 2);
				// Removing this decoder passes the bytes after the header on.
				headerReceived(ctx, HAProxyProtocolVersion.V1, header.protocol(), header.source(), header.sourcePort());
				return;
			}
			if (b < 0x20 || b > 0x7E) {
				rejectV1Bytes(ctx, in, "byte 0x" + String.format("%02x", b & 0xFF) + " at offset " + i
						+ " (only printable US-ASCII and a final CRLF are allowed)");
				return;
			}
		}
		if (in.readableBytes() >= ProxyV1Header.MAX_LENGTH) {
			rejectV1Bytes(ctx, in, "no CRLF in its first " + ProxyV1Header.MAX_LENGTH + " bytes (the longest allowed)");
		}
	}

	private void rejectV1Bytes(ChannelHandlerContext ctx, ByteBuf in, String problem) {
		String shown = ByteBufUtil.hexDump(in, in.readerIndex(), Math.min(SHOWN_BYTES, in.readableBytes()));
		in.skipBytes(in.readableBytes());
		rejectHeader(ctx, "version 1 header with " + problem + ": 0x" + shown);
	}

	private void headerReceived(ChannelHandlerContext gate, HAProxyMessage header) {
		headerReceived(gate, header.protocolVersion(), header.command().name(), header.sourceAddress(),
				String.valueOf(header.sourcePort()));
	}

	private void headerReceived(ChannelHandlerContext gate, HAProxyProtocolVersion version, String command,
			String source, String sourcePort) {
		this.received = true;
		cancelTimeout();
		this.counters.proxyHeaderReceived(version,
				command.equals(HAProxyCommand.LOCAL.name()) ? HAProxyCommand.LOCAL : HAProxyCommand.PROXY);
		logger.debug("Front {}: PROXY {} {} header, client {}:{}", this.identity.index(), version, command, source,
				sourcePort);
		gate.pipeline().remove(this);
	}

	private void cancelTimeout() {
		if (this.timeoutTask != null) {
			this.timeoutTask.cancel(false);
			this.timeoutTask = null;
		}
	}

	private void rejectHeader(ChannelHandlerContext ctx, String detail) {
		logger.warn(
				"Front {} {} port, connection from {}: Initial Proxy Protocol header bytes invalid: {}; "
						+ "Make sure your proxy is configured to emit a Proxy Protocol header. Closing the connection.",
				this.identity.index(), this.portName, ctx.channel().remoteAddress(), detail);
		ctx.channel().close();
	}

	/**
	 * Receives the decoded PROXY header, or the decoder's failure, and reports it to the
	 * gate.
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
