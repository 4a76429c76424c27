package io.mongolb.embedded.server;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

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
 * One mongos-like front: binds its normal port, its load-balancer port and, when enabled,
 * its mongod-style proxy port over the shared store and runs its lifecycle (a new
 * {@code serviceId} at every start, its connections closed at stop). The per-front parts
 * that the connection handlers use (identity, fail point, connection counters, cursor
 * registry, {@code serverStatus}) are created here once and handed to each handler; the
 * handlers never see this class.
 */
final class FrontServer {

	private static final Logger logger = LoggerFactory.getLogger(FrontServer.class);

	private static final String HOST = "127.0.0.1";

	private final FrontIdentity identity;

	private final SharedStore store;

	private final EmbeddedLoadBalancedMongoSettings settings;

	private final EventLoopGroup workerGroup;

	private final FailPoint failPoint = new FailPoint();

	private final ConnectionCounters counters = new ConnectionCounters();

	private final CursorRegistry cursors;

	private final ServerStatus serverStatus;

	private final AtomicInteger connectionIds = new AtomicInteger();

	private final CommandRecording recording = new CommandRecording();

	private final PortOptions ports;

	/**
	 * The PROXY headers of the mongod-style proxy port, counted apart from those of the
	 * load-balancer port.
	 */
	private final ConnectionCounters proxyPortCounters = new ConnectionCounters();

	private int port;

	private int loadBalancerPort;

	/** The mongod-style proxy port, 0 until first bound (or when there is none). */
	private int proxyPort;

	private volatile boolean running;

	/**
	 * Accepts the connections of this front's two ports only, and is shut down at every
	 * stop: shutting it down closes its selector, which is what releases the listening
	 * sockets. Closing a server channel alone leaves the port bound until its event loop
	 * next selects, so a start right after a stop could find it still in use.
	 */
	private @Nullable EventLoopGroup acceptGroup;

	private @Nullable Channel normalChannel;

	private @Nullable Channel loadBalancerChannel;

	private @Nullable Channel proxyChannel;

	private @Nullable ChannelGroup clients;

	FrontServer(int index, SharedStore store, EmbeddedLoadBalancedMongoSettings settings, EventLoopGroup workerGroup,
			int port, int loadBalancerPort) {
		this(index, store, settings, workerGroup, port, loadBalancerPort, PortOptions.DEFAULT);
	}

	FrontServer(int index, SharedStore store, EmbeddedLoadBalancedMongoSettings settings, EventLoopGroup workerGroup,
			int port, int loadBalancerPort, PortOptions ports) {
		this.ports = ports;
		this.identity = new FrontIdentity(index);
		this.store = store;
		this.settings = settings;
		this.workerGroup = workerGroup;
		this.port = port;
		this.loadBalancerPort = loadBalancerPort;
		this.cursors = new CursorRegistry(store);
		this.serverStatus = new ServerStatus(store, this.identity, this.counters, this.cursors);
	}

	/**
	 * Binds its ports (the same ones as before after a stop) and takes a new serviceId.
	 * When a port cannot be bound, whatever was bound is released again and the front
	 * keeps its previous serviceId.
	 * @throws IllegalStateException naming the port that could not be bound
	 */
	synchronized void start() {
		if (this.running) {
			return;
		}
		this.acceptGroup = new MultiThreadIoEventLoopGroup(1,
				new DefaultThreadFactory("mongolb-embedded-accept-" + this.identity.index(), true),
				NioIoHandler.newFactory());
		this.failPoint.reset();
		// stayClosed: a connection accepted just before stop() and active only after it
		// is closed at once instead of staying open on a stopped front.
		ChannelGroup clients = new DefaultChannelGroup("mongolb-front-" + this.identity.index(),
				GlobalEventExecutor.INSTANCE, true);
		this.clients = clients;
		@Nullable ObjectId previous = null;
		try {
			this.normalChannel = bind(this.port, false, clients);
			this.port = ((InetSocketAddress) this.normalChannel.localAddress()).getPort();
			// Only load-balanced connections see the serviceId, and they exist once the
			// next bind succeeds.
			previous = this.identity.replaceServiceId(new ObjectId());
			this.loadBalancerChannel = bind(this.loadBalancerPort, true, clients);
			this.loadBalancerPort = ((InetSocketAddress) this.loadBalancerChannel.localAddress()).getPort();
			if (this.ports.mongodProxyPort()) {
				this.proxyChannel = bind(this.proxyPort, "mongod proxy", (ch) -> initProxyPortConnection(ch, clients));
				this.proxyPort = ((InetSocketAddress) this.proxyChannel.localAddress()).getPort();
			}
		}
		catch (RuntimeException ex) {
			if (previous != null) {
				this.identity.replaceServiceId(previous);
			}
			closeChannels();
			throw ex;
		}
		this.running = true;
		logger.info("Front {} started: serviceId {}, port {}, load-balancer port {}", this.identity.index(),
				this.identity.serviceIdForWire().getHexData(), this.port, this.loadBalancerPort);
		if (this.ports.tls() != null || this.ports.mongodProxyPort()) {
			logger.info("Front {}: {}{}", this.identity.index(),
					(this.ports.tls() != null) ? "TLS after the PROXY header on the load-balancer port"
							: "load-balancer port in plain text",
					this.ports.mongodProxyPort() ? ", mongod-style proxy port " + this.proxyPort : "");
		}
	}

	private Channel bind(int bindPort, boolean loadBalancer, ChannelGroup clients) {
		return bind(bindPort, loadBalancer ? "load-balancer" : "normal",
				(ch) -> initConnection(ch, loadBalancer, clients));
	}

	private Channel bind(int bindPort, String portName, Consumer<SocketChannel> init) {
		ServerBootstrap bootstrap = new ServerBootstrap().group(this.acceptGroup, this.workerGroup)
			.channel(NioServerSocketChannel.class)
			.option(ChannelOption.SO_REUSEADDR, true)
			.option(ChannelOption.SO_BACKLOG, 128)
			.childOption(ChannelOption.TCP_NODELAY, true)
			.childHandler(new ChannelInitializer<SocketChannel>() {

				@Override
				protected void initChannel(SocketChannel ch) {
					init.accept(ch);
				}

			});
		// Not syncUninterruptibly(): it rethrows the checked BindException as it is, past
		// a catch of RuntimeException.
		ChannelFuture bound = bootstrap.bind(new InetSocketAddress(HOST, bindPort)).awaitUninterruptibly();
		if (!bound.isSuccess()) {
			throw new IllegalStateException("Front " + this.identity.index() + " could not bind its " + portName
					+ " port " + HOST + ":" + bindPort + ": " + bound.cause().getMessage(), bound.cause());
		}
		return bound.channel();
	}

	private void initConnection(SocketChannel ch, boolean loadBalancer, ChannelGroup clients) {
		ConnectionState state = new ConnectionState(loadBalancer, this.connectionIds.incrementAndGet());
		if (loadBalancer) {
			ch.pipeline()
				.addLast("proxyHeaderGate",
						new ProxyHeaderGate(this.identity, this.settings.proxyHeaderTimeout(), this.counters));
			if (this.ports.tls() != null) {
				FrontTls.addAfterProxyHeader(ch.pipeline(), this.ports.tls(), this.identity);
			}
		}
		addCommandHandlers(ch, state, clients);
	}

	/*
	 * A connection of the mongod-style proxy port: a PROXY header first, then a
	 * standalone mongod's replies.
	 */
	private void initProxyPortConnection(SocketChannel ch, ChannelGroup clients) {
		ConnectionState state = new ConnectionState(false, true, this.connectionIds.incrementAndGet());
		ch.pipeline()
			.addLast("proxyHeaderGate", new ProxyHeaderGate(this.identity, this.settings.proxyHeaderTimeout(),
					this.proxyPortCounters, "mongod proxy"));
		addCommandHandlers(ch, state, clients);
	}

	private void addCommandHandlers(SocketChannel ch, ConnectionState state, ChannelGroup clients) {
		ch.pipeline()
			.addLast("moreToCome", new MoreToComeDecoder(state))
			.addLast("replyEncoder", new MongoWireReplyEncoder())
			.addLast("messageEncoder", new MongoWireMessageEncoder())
			.addLast("wireDecoder", new MongoWireProtocolHandler())
			.addLast("recording", this.recording.handler(state))
			.addLast("failCommand", new FailCommandHandler(this.identity, this.failPoint, state))
			.addLast("front", new FrontCommandHandler(this.identity, this.settings, this.failPoint, this.counters,
					this.cursors, this.serverStatus, state));
		ChangeStreamHistory history = this.store.changeStreamHistory();
		if (history != null) {
			// Between the front (fail points first) and the store: holds a change
			// stream's getMore until there is something to return (then it goes on
			// through the transactions' handler, which takes the store's shared lock).
			ch.pipeline().addLast("changeStreamAwait", new ChangeStreamAwait(this.store, history));
		}
		ch.pipeline()
			.addLast("transactions", new TransactionHandler(this.identity, this.store.transactions(), state))
			.addLast("database", new MongoDatabaseHandler(this.store, clients))
			.addLast("exceptions", new MongoExceptionHandler());
	}

	/**
	 * Returns what this front records of the commands it receives (off until started).
	 * @return the recording
	 */
	CommandRecording recording() {
		return this.recording;
	}

	/**
	 * Closes its ports and every connection of this front; returns once the ports are
	 * free to bind again.
	 */
	synchronized void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		closeChannels();
		logger.info("Front {} stopped (serviceId was {})", this.identity.index(),
				this.identity.serviceIdForWire().getHexData());
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
		if (this.proxyChannel != null) {
			this.proxyChannel.close().syncUninterruptibly();
			this.proxyChannel = null;
		}
		if (this.clients != null) {
			this.clients.close().syncUninterruptibly();
		}
		if (this.acceptGroup != null) {
			// Returns when the accept loop has closed its selector, and with it the
			// listening sockets.
			this.acceptGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
			this.acceptGroup = null;
		}
	}

	org.bson.types.ObjectId serviceId() {
		return this.identity.serviceId();
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

	/*
	 * The mongod-style proxy port, 0 when the front has none.
	 */
	int proxyPort() {
		return this.proxyPort;
	}

	ProxyHeaderCounts proxyPortHeaderCounts() {
		return this.proxyPortCounters.proxyHeaderCounts();
	}

	int loadBalancedConnections() {
		return this.counters.loadBalanced();
	}

	int openCursors() {
		return this.cursors.openCursors();
	}

	ProxyHeaderCounts proxyHeaderCounts() {
		return this.counters.proxyHeaderCounts();
	}

}
