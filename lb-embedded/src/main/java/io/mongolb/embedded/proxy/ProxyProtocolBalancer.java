package io.mongolb.embedded.proxy;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process L4 load balancer: round robin over a fixed list of upstream addresses, a
 * PROXY protocol header at the start of every upstream connection, then a plain byte
 * relay in both directions.
 * <p>
 * When an upstream refuses the connection (it is stopped), the next one in the list is
 * tried; when all refuse, the client connection is closed. An upstream that comes back on
 * the same address is used again. Closing either side of a relayed connection closes the
 * other side, as an L4 balancer does.
 * <p>
 * Instances are created with
 * {@link #start(InetSocketAddress, List, ProxyProtocolVersion)} and released with
 * {@link #close()}.
 * <p>
 * {@link io.mongolb.embedded.server.EmbeddedLoadBalancedMongo} starts one in front of its
 * fronts; that is the use it is made for, and why it is public (it lives in its own
 * package). It also works on its own, in front of any TCP servers that expect a PROXY
 * header.
 *
 * @since 0.1.0
 */
public final class ProxyProtocolBalancer implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ProxyProtocolBalancer.class);

	private final List<InetSocketAddress> upstreams;

	private final ProxyProtocolVersion version;

	private final AtomicInteger next = new AtomicInteger();

	private final EventLoopGroup group;

	private final boolean ownsGroup;

	private final ChannelGroup relayed;

	private volatile @Nullable Channel serverChannel;

	private ProxyProtocolBalancer(List<InetSocketAddress> upstreams, ProxyProtocolVersion version, EventLoopGroup group,
			boolean ownsGroup) {
		if (upstreams.isEmpty()) {
			throw new IllegalArgumentException("At least one upstream address is required");
		}
		this.upstreams = List.copyOf(upstreams);
		this.version = Objects.requireNonNull(version, "version");
		this.group = group;
		this.ownsGroup = ownsGroup;
		this.relayed = new DefaultChannelGroup("mongolb-balancer", GlobalEventExecutor.INSTANCE);
	}

	/**
	 * Starts a balancer with its own single-threaded event loop.
	 * @param bindAddress the address to listen on (port 0 picks a free port)
	 * @param upstreams the upstream addresses, in round-robin order
	 * @param version the PROXY protocol version to write upstream
	 * @return the started balancer
	 * @since 0.1.0
	 */
	public static ProxyProtocolBalancer start(InetSocketAddress bindAddress, List<InetSocketAddress> upstreams,
			ProxyProtocolVersion version) {
		EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("mongolb-balancer", true),
				NioIoHandler.newFactory());
		return start(bindAddress, upstreams, version, group, true);
	}

	/**
	 * Starts a balancer on an event loop group owned by the caller (it is not shut down
	 * by {@link #close()}).
	 * @param bindAddress the address to listen on (port 0 picks a free port)
	 * @param upstreams the upstream addresses, in round-robin order
	 * @param version the PROXY protocol version to write upstream
	 * @param group the Netty event loop group to run on
	 * @return the started balancer
	 * @since 0.1.0
	 */
	public static ProxyProtocolBalancer start(InetSocketAddress bindAddress, List<InetSocketAddress> upstreams,
			ProxyProtocolVersion version, EventLoopGroup group) {
		return start(bindAddress, upstreams, version, group, false);
	}

	private static ProxyProtocolBalancer start(InetSocketAddress bindAddress, List<InetSocketAddress> upstreams,
			ProxyProtocolVersion version, EventLoopGroup group, boolean ownsGroup) {
		ProxyProtocolBalancer balancer = new ProxyProtocolBalancer(upstreams, version, group, ownsGroup);
		try {
			balancer.bind(bindAddress);
		}
		catch (RuntimeException ex) {
			balancer.close();
			throw ex;
		}
		return balancer;
	}

	private void bind(InetSocketAddress bindAddress) {
		ServerBootstrap bootstrap = new ServerBootstrap().group(this.group)
			.channel(NioServerSocketChannel.class)
			.option(ChannelOption.SO_REUSEADDR, true)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childOption(ChannelOption.AUTO_READ, false)
			.childHandler(new ChannelInitializer<SocketChannel>() {

				@Override
				protected void initChannel(SocketChannel ch) {
					ProxyProtocolBalancer.this.relayed.add(ch);
					ch.pipeline().addLast(new ClientSideRelay(ProxyProtocolBalancer.this));
				}

			});
		// Not syncUninterruptibly(): it rethrows the checked BindException as it is, past
		// a catch of RuntimeException.
		ChannelFuture bound = bootstrap.bind(bindAddress).awaitUninterruptibly();
		if (!bound.isSuccess()) {
			throw new IllegalStateException("The PROXY protocol balancer could not bind its port "
					+ bindAddress.getHostString() + ":" + bindAddress.getPort() + ": " + bound.cause().getMessage(),
					bound.cause());
		}
		this.serverChannel = bound.channel();
		logger.debug("PROXY protocol {} balancer listening on {}, upstreams {}", this.version, getAddress(),
				this.upstreams);
	}

	/**
	 * Returns the address the balancer listens on.
	 * @return the bound address
	 * @since 0.1.0
	 */
	public InetSocketAddress getAddress() {
		Channel channel = this.serverChannel;
		if (channel == null) {
			throw new IllegalStateException("The balancer is not running");
		}
		return (InetSocketAddress) channel.localAddress();
	}

	/**
	 * Returns the port the balancer listens on.
	 * @return the bound port
	 * @since 0.1.0
	 */
	public int getPort() {
		return getAddress().getPort();
	}

	/**
	 * Returns the upstream addresses in round-robin order.
	 * @return the upstream addresses
	 * @since 0.1.0
	 */
	public List<InetSocketAddress> getUpstreams() {
		return this.upstreams;
	}

	/**
	 * Returns the PROXY protocol version written upstream.
	 * @return the version
	 * @since 0.1.0
	 */
	public ProxyProtocolVersion getVersion() {
		return this.version;
	}

	void track(Channel upstream) {
		this.relayed.add(upstream);
	}

	int nextStartIndex() {
		return Math.floorMod(this.next.getAndIncrement(), this.upstreams.size());
	}

	/**
	 * Stops listening and closes every relayed connection.
	 * @since 0.1.0
	 */
	@Override
	public void close() {
		Channel channel = this.serverChannel;
		this.serverChannel = null;
		if (channel != null) {
			channel.close().syncUninterruptibly();
		}
		this.relayed.close().syncUninterruptibly();
		if (this.ownsGroup) {
			this.group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
		}
	}

}
