package io.mongolb.embedded.server;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;
import de.bwaldvogel.mongo.wire.MongoDatabaseHandler;
import de.bwaldvogel.mongo.wire.MongoExceptionHandler;
import de.bwaldvogel.mongo.wire.MongoWireMessageEncoder;
import de.bwaldvogel.mongo.wire.MongoWireProtocolHandler;
import de.bwaldvogel.mongo.wire.MongoWireReplyEncoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * One mongos-like front: a normal port and a load-balancer port over the shared store, its own {@code serviceId} (new
 * at every start), its own fail point, connection counters and cursor ownership.
 */
final class FrontServer {

	private static final Logger logger = LoggerFactory.getLogger(FrontServer.class);

	private static final String HOST = "127.0.0.1";

	private final int index;

	private final SharedStore store;

	private final EmbeddedLoadBalancedMongoSettings settings;

	private final EventLoopGroup bossGroup;

	private final EventLoopGroup workerGroup;

	private final FailPoint failPoint = new FailPoint();

	private final AtomicInteger currentConnections = new AtomicInteger();

	private final AtomicInteger loadBalancedConnections = new AtomicInteger();

	private final AtomicLong totalCreated = new AtomicLong();

	private final AtomicInteger connectionIds = new AtomicInteger();

	private final AtomicLong proxyHeadersV1 = new AtomicLong();

	private final AtomicLong proxyHeadersV2 = new AtomicLong();

	private final AtomicLong proxyHeadersV2Local = new AtomicLong();

	/**
	 * Cursors opened through this front and not known to be closed, with the id of the connection that opened them
	 * (an id, not the channel: an ordinary connection's cursors outlive it, and must not keep it reachable).
	 */
	private final Map<Long, Integer> cursorOwners = new ConcurrentHashMap<>();

	/** The open connections by connection id, to find a cursor owner's own list. */
	private final Map<Integer, ConnectionState> connections = new ConcurrentHashMap<>();

	private int port;

	private int loadBalancerPort;

	private volatile ObjectId serviceId;

	private volatile boolean running;

	private Channel normalChannel;

	private Channel loadBalancerChannel;

	private ChannelGroup clients;

	FrontServer(int index, SharedStore store, EmbeddedLoadBalancedMongoSettings settings, EventLoopGroup bossGroup,
			EventLoopGroup workerGroup, int port, int loadBalancerPort) {
		this.index = index;
		this.store = store;
		this.settings = settings;
		this.bossGroup = bossGroup;
		this.workerGroup = workerGroup;
		this.port = port;
		this.loadBalancerPort = loadBalancerPort;
	}

	synchronized void start() {
		if (this.running) {
			return;
		}
		this.serviceId = new ObjectId();
		this.failPoint.reset();
		this.clients = new DefaultChannelGroup("mongolb-front-" + this.index, GlobalEventExecutor.INSTANCE);
		try {
			this.normalChannel = bind(this.port, false);
			this.port = ((InetSocketAddress) this.normalChannel.localAddress()).getPort();
			this.loadBalancerChannel = bind(this.loadBalancerPort, true);
			this.loadBalancerPort = ((InetSocketAddress) this.loadBalancerChannel.localAddress()).getPort();
		}
		catch (RuntimeException ex) {
			closeChannels();
			throw ex;
		}
		this.running = true;
		logger.info("Front {} started: serviceId {}, port {}, load-balancer port {}", this.index,
				this.serviceId.getHexData(), this.port, this.loadBalancerPort);
	}

	private Channel bind(int bindPort, boolean loadBalancer) {
		ServerBootstrap bootstrap = new ServerBootstrap().group(this.bossGroup, this.workerGroup)
			.channel(NioServerSocketChannel.class)
			.option(ChannelOption.SO_REUSEADDR, true)
			.option(ChannelOption.SO_BACKLOG, 128)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childHandler(new ChannelInitializer<SocketChannel>() {

				@Override
				protected void initChannel(SocketChannel ch) {
					initConnection(ch, loadBalancer);
				}

			});
		// Not syncUninterruptibly(): it rethrows the checked BindException as it is, past a catch of RuntimeException.
		ChannelFuture bound = bootstrap.bind(new InetSocketAddress(HOST, bindPort)).awaitUninterruptibly();
		if (!bound.isSuccess()) {
			throw new IllegalStateException("Front " + this.index + " could not bind its "
					+ (loadBalancer ? "load-balancer" : "normal") + " port " + HOST + ":" + bindPort + ": "
					+ bound.cause().getMessage(), bound.cause());
		}
		return bound.channel();
	}

	private void initConnection(SocketChannel ch, boolean loadBalancer) {
		ConnectionState state = new ConnectionState(loadBalancer, this.connectionIds.incrementAndGet());
		if (loadBalancer) {
			ch.pipeline().addLast("proxyHeaderGate", new ProxyHeaderGate(this, state));
		}
		ch.pipeline()
			.addLast("moreToCome", new MoreToComeDecoder(state))
			.addLast("replyEncoder", new MongoWireReplyEncoder())
			.addLast("messageEncoder", new MongoWireMessageEncoder())
			.addLast("wireDecoder", new MongoWireProtocolHandler())
			.addLast("front", new FrontCommandHandler(this, state))
			.addLast("database", new MongoDatabaseHandler(this.store, this.clients))
			.addLast("exceptions", new MongoExceptionHandler());
	}

	synchronized void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		closeChannels();
		logger.info("Front {} stopped (serviceId was {})", this.index, this.serviceId.getHexData());
	}

	private void closeChannels() {
		if (this.normalChannel != null) {
			this.normalChannel.close().syncUninterruptibly();
			this.normalChannel = null;
		}
		if (this.loadBalancerChannel != null) {
			this.loadBalancerChannel.close().syncUninterruptibly();
			this.loadBalancerChannel = null;
		}
		if (this.clients != null) {
			this.clients.close().syncUninterruptibly();
		}
	}

	void connectionOpened(ConnectionState state) {
		this.connections.put(state.connectionId, state);
		this.currentConnections.incrementAndGet();
		this.totalCreated.incrementAndGet();
	}

	void proxyHeaderReceived(HAProxyProtocolVersion version, HAProxyCommand command) {
		if (version == HAProxyProtocolVersion.V1) {
			this.proxyHeadersV1.incrementAndGet();
		}
		else if (command == HAProxyCommand.LOCAL) {
			this.proxyHeadersV2Local.incrementAndGet();
		}
		else {
			this.proxyHeadersV2.incrementAndGet();
		}
	}

	ProxyHeaderCounts proxyHeaderCounts() {
		return new ProxyHeaderCounts(this.proxyHeadersV1.get(), this.proxyHeadersV2.get(),
				this.proxyHeadersV2Local.get());
	}

	void loadBalancedHandshake() {
		this.loadBalancedConnections.incrementAndGet();
	}

	void connectionClosed(Channel channel, ConnectionState state) {
		this.currentConnections.decrementAndGet();
		this.connections.remove(state.connectionId);
		// Cursors of an ordinary connection outlive it (as on mongos); those of a load-balanced one are killed.
		List<Long> owned = new ArrayList<>(state.cursorIds);
		state.cursorIds.clear();
		if (state.loadBalanced) {
			owned.forEach(this.cursorOwners::remove);
			this.loadBalancedConnections.decrementAndGet();
			// As mongos does for a load-balanced client: its cursors go with it.
			List<Long> killed = this.store.killCursors(owned);
			if (!killed.isEmpty()) {
				logger.info("Front {}: load-balanced client {} disconnected, killed its cursors {}", this.index,
						channel.remoteAddress(), killed);
			}
		}
	}

	void trackCursor(long cursorId, ConnectionState owner) {
		if (this.cursorOwners.putIfAbsent(cursorId, owner.connectionId) == null) {
			owner.cursorIds.add(cursorId);
		}
	}

	/**
	 * Forgets the cursors a {@code getMore} or {@code killCursors} named, if they are closed now. Only those are
	 * looked up: this runs on every such command.
	 * @param cursorIds the cursor ids the command named
	 */
	void forgetIfClosed(List<Long> cursorIds) {
		for (Long cursorId : cursorIds) {
			if (this.cursorOwners.containsKey(cursorId) && !this.store.cursorExists(cursorId)) {
				forget(cursorId);
			}
		}
	}

	private void forget(Long cursorId) {
		Integer owner = this.cursorOwners.remove(cursorId);
		ConnectionState state = (owner != null) ? this.connections.get(owner) : null;
		if (state != null) {
			state.cursorIds.remove(cursorId);
		}
	}

	/**
	 * Forgets every cursor closed meanwhile, e.g. by a {@code killCursors} sent to another front. For monitoring
	 * ({@code serverStatus}, {@link #openCursors()}), not for the command path.
	 */
	private void forgetClosedCursors() {
		forgetIfClosed(List.copyOf(this.cursorOwners.keySet()));
	}

	Document serverStatus() {
		forgetClosedCursors();
		Document status = this.store.getServerStatus();
		status.put("process", "mongos");
		Document connections = new Document();
		connections.put("current", this.currentConnections.get());
		connections.put("available", 1_000_000 - this.currentConnections.get());
		connections.put("totalCreated", this.totalCreated.get());
		connections.put("loadBalanced", this.loadBalancedConnections.get());
		status.put("connections", connections);
		Document open = new Document();
		open.put("noTimeout", 0L);
		open.put("pinned", 0L);
		open.put("total", (long) this.cursorOwners.size());
		Document cursor = new Document();
		cursor.put("timedOut", 0L);
		cursor.put("open", open);
		Document metrics = (status.get("metrics") instanceof Document existing) ? existing : new Document();
		metrics.put("cursor", cursor);
		status.put("metrics", metrics);
		Document embedded = new Document();
		embedded.put("front", this.index);
		embedded.put("serviceId", this.serviceId);
		embedded.put("storeOpenCursors", (long) this.store.openCursorCount());
		ProxyHeaderCounts headers = proxyHeaderCounts();
		Document proxyHeaders = new Document();
		proxyHeaders.put("v1", headers.v1());
		proxyHeaders.put("v2", headers.v2());
		proxyHeaders.put("v2Local", headers.v2Local());
		embedded.put("proxyHeaders", proxyHeaders);
		status.put("mongolbEmbedded", embedded);
		return status;
	}

	int index() {
		return this.index;
	}

	EmbeddedLoadBalancedMongoSettings settings() {
		return this.settings;
	}

	FailPoint failPoint() {
		return this.failPoint;
	}

	ObjectId serviceIdForWire() {
		return this.serviceId;
	}

	org.bson.types.ObjectId serviceId() {
		ObjectId id = this.serviceId;
		return (id != null) ? new org.bson.types.ObjectId(id.getHexData()) : null;
	}

	boolean isRunning() {
		return this.running;
	}

	int port() {
		return this.port;
	}

	int loadBalancerPort() {
		return this.loadBalancerPort;
	}

	int loadBalancedConnections() {
		return this.loadBalancedConnections.get();
	}

	int openCursors() {
		forgetClosedCursors();
		return this.cursorOwners.size();
	}

}
