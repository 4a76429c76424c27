package io.mongolb.embedded.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream side of one relayed connection: forwards the upstream's bytes to the
 * client.
 */
final class UpstreamSideRelay extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(UpstreamSideRelay.class);

	private final Channel client;

	UpstreamSideRelay(Channel client) {
		this.client = client;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		ClientSideRelay.forward(ctx, this.client, msg);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		ClientSideRelay.closeOnFlush(this.client);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		logger.debug("Upstream connection {} failed", ctx.channel(), cause);
		ClientSideRelay.closeOnFlush(ctx.channel());
	}

}
