package io.mongolb.embedded.proxy;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of one relayed connection: opens the upstream connection (trying the
 * next upstream when one refuses), writes the PROXY header, then forwards the client's
 * bytes.
 */
final class ClientSideRelay extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(ClientSideRelay.class);

	private static final int CONNECT_TIMEOUT_MILLIS = 2000;

	private final ProxyProtocolBalancer balancer;

	private volatile @Nullable Channel upstream;

	ClientSideRelay(ProxyProtocolBalancer balancer) {
		this.balancer = balancer;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) {
		connect(ctx.channel(), this.balancer.nextStartIndex(), 0, null);
	}

	/**
	 * Connects to the next upstream in round-robin order from {@code start}.
	 * @param client the client connection
	 * @param start the index of the first upstream tried for this connection
	 * @param attempt how many upstreams were tried already
	 * @param lastFailure why the previous attempt failed, {@code null} for the first one
	 */
	private void connect(Channel client, int start, int attempt, @Nullable Throwable lastFailure) {
		List<InetSocketAddress> upstreams = this.balancer.getUpstreams();
		if (attempt >= upstreams.size()) {
			logger.warn("No upstream accepted the connection from {} ({} tried), closing it; last failure: {}",
					client.remoteAddress(), upstreams.size(), String.valueOf(lastFailure), lastFailure);
			client.close();
			return;
		}
		if (!client.isActive()) {
			return;
		}
		InetSocketAddress target = upstreams.get((start + attempt) % upstreams.size());
		Bootstrap bootstrap = new Bootstrap().group(client.eventLoop())
			.channel(NioSocketChannel.class)
			.option(ChannelOption.AUTO_READ, false)
			.option(ChannelOption.TCP_NODELAY, true)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
			.handler(new ChannelInitializer<SocketChannel>() {

				@Override
				protected void initChannel(SocketChannel ch) {
					ch.pipeline().addLast(HAProxyMessageEncoder.INSTANCE, new UpstreamSideRelay(client));
				}

			});
		bootstrap.connect(target).addListener((ChannelFutureListener) (connected) -> {
			if (!connected.isSuccess()) {
				logger.debug("Upstream {} refused: trying the next one", target, connected.cause());
				connect(client, start, attempt + 1, connected.cause());
				return;
			}
			Channel channel = connected.channel();
			this.upstream = channel;
			this.balancer.track(channel);
			if (!client.isActive()) {
				channel.close();
				return;
			}
			channel.writeAndFlush(header(client)).addListener((ChannelFutureListener) (written) -> {
				if (written.isSuccess()) {
					client.read();
					channel.read();
				}
				else {
					channel.close();
					client.close();
				}
			});
		});
	}

	private HAProxyMessage header(Channel client) {
		InetSocketAddress source = (InetSocketAddress) client.remoteAddress();
		InetSocketAddress destination = (InetSocketAddress) client.localAddress();
		boolean ipv6 = source.getAddress() instanceof Inet6Address || destination.getAddress() instanceof Inet6Address;
		return new HAProxyMessage(this.balancer.getVersion().toNetty(), HAProxyCommand.PROXY,
				ipv6 ? HAProxyProxiedProtocol.TCP6 : HAProxyProxiedProtocol.TCP4, source.getAddress().getHostAddress(),
				destination.getAddress().getHostAddress(), source.getPort(), destination.getPort());
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) {
		Channel channel = this.upstream;
		if (channel == null || !channel.isActive()) {
			ReferenceCountUtil.release(msg);
			ctx.close();
			return;
		}
		forward(ctx, channel, msg);
	}

	/**
	 * Write what one side read to the other, and read again once it is written
	 * (back-pressure: auto-read is off).
	 * @param from the side that read the message
	 * @param to the other side
	 * @param msg the message
	 */
	static void forward(ChannelHandlerContext from, Channel to, Object msg) {
		to.writeAndFlush(msg).addListener((ChannelFutureListener) (written) -> {
			if (written.isSuccess()) {
				from.channel().read();
			}
			else {
				written.channel().close();
				from.close();
			}
		});
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) {
		Channel channel = this.upstream;
		if (channel != null) {
			closeOnFlush(channel);
		}
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
		logger.debug("Client connection {} failed", ctx.channel(), cause);
		closeOnFlush(ctx.channel());
	}

	static void closeOnFlush(Channel channel) {
		if (channel.isActive()) {
			channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
		}
	}

}
