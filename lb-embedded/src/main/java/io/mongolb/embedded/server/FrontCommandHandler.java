package io.mongolb.embedded.server;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.wire.BsonConstants;
import de.bwaldvogel.mongo.wire.MongoWireProtocolHandler;
import de.bwaldvogel.mongo.wire.message.ClientRequest;
import de.bwaldvogel.mongo.wire.message.MessageHeader;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import de.bwaldvogel.mongo.wire.message.MongoReply;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mongos part of a front, between mongo-java-server's wire decoder and its database
 * handler: answers {@code hello}/{@code isMaster} (with the {@code serviceId} on a
 * load-balanced connection), {@code serverStatus} and {@code configureFailPoint} (the
 * fail point itself is applied before, by {@link FailCommandHandler}, so it applies to
 * {@code commitTransaction} and {@code abortTransaction} too), drops the replies of
 * {@code moreToCome} messages and tracks the cursors opened through the connection.
 * Transactions are run by a later handler, {@link TransactionHandler}.
 * <p>
 * It sees its front only through what it needs: the front's identity (index, serviceId),
 * the cluster's settings, the front's fail point, connection counters, cursor registry
 * and {@code serverStatus} assembler.
 */
final class FrontCommandHandler extends ChannelDuplexHandler {

	private static final Logger logger = LoggerFactory.getLogger(FrontCommandHandler.class);

	static final int LOAD_BALANCER_SUPPORT_MISMATCH = 354;

	static final String LOAD_BALANCER_SUPPORT_MISMATCH_MESSAGE = "The server is being accessed through a load balancer, "
			+ "but this driver does not have load balancing enabled";

	private static final AtomicInteger replyIds = new AtomicInteger();

	private final FrontIdentity identity;

	private final EmbeddedLoadBalancedMongoSettings settings;

	private final FailPoint failPoint;

	private final ConnectionCounters counters;

	private final CursorRegistry cursors;

	private final ServerStatus serverStatus;

	private final ConnectionState state;

	FrontCommandHandler(FrontIdentity identity, EmbeddedLoadBalancedMongoSettings settings, FailPoint failPoint,
			ConnectionCounters counters, CursorRegistry cursors, ServerStatus serverStatus, ConnectionState state) {
		this.identity = identity;
		this.settings = settings;
		this.failPoint = failPoint;
		this.counters = counters;
		this.cursors = cursors;
		this.serverStatus = serverStatus;
		this.state = state;
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) throws Exception {
		this.counters.connectionOpened();
		this.cursors.connectionOpened(this.state);
		super.channelActive(ctx);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		this.counters.connectionClosed(this.state.loadBalanced);
		// As mongos does for a load-balanced client: its cursors go with it.
		List<Long> killed = this.cursors.connectionClosed(this.state);
		if (!killed.isEmpty()) {
			logger.info("Front {}: load-balanced client {} disconnected, killed its cursors {}", this.identity.index(),
					ctx.channel().remoteAddress(), killed);
		}
		super.channelInactive(ctx);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
		if (cause instanceof IOException) {
			// The peer went away, e.g. a load balancer's health check that connects,
			// sends its PROXY header and
			// closes with a reset: nothing to report, as mongos reports nothing for it.
			logger.debug("Front {}: connection {} closed by the peer: {}", this.identity.index(),
					ctx.channel().remoteAddress(), cause.toString());
			ctx.close();
			return;
		}
		super.exceptionCaught(ctx, cause);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		if (!(msg instanceof ClientRequest request)) {
			super.channelRead(ctx, msg);
			return;
		}
		Document command = commandOf(request);
		if (command == null || command.isEmpty()) {
			super.channelRead(ctx, msg);
			return;
		}
		String name = command.keySet().iterator().next();
		try {
			if (name.equals("configureFailPoint")) {
				this.failPoint.configure(command);
				reply(ctx, request, ok(new Document()));
				return;
			}
			// The failCommand fail point was applied before (FailCommandHandler), to
			// hello/isMaster too, as on mongos.
			if (name.equalsIgnoreCase("hello") || name.equalsIgnoreCase("isMaster")) {
				hello(ctx, request, name, command);
				return;
			}
			if (name.equals("serverStatus")) {
				reply(ctx, request, this.serverStatus.document());
				return;
			}
		}
		catch (MongoServerError ex) {
			reply(ctx, request, error(ex.getCode(), ex.getCodeName(), ex.getMessageWithoutErrorCode()));
			return;
		}
		super.channelRead(ctx, msg);
		if (name.equals("getMore") || name.equals("killCursors")) {
			// The database handler has answered synchronously: forget the named cursors
			// if they are gone now.
			this.cursors.forgetIfClosed(namedCursors(name, command));
		}
	}

	/*
	 * The cursor ids a {@code getMore} ({@code getMore: id}) or {@code killCursors}
	 * ({@code cursors: [ids]}) names.
	 */
	private static List<Long> namedCursors(String name, Document command) {
		if (name.equals("getMore")) {
			return (command.get("getMore") instanceof Number id) ? List.of(id.longValue()) : List.of();
		}
		List<Long> ids = new ArrayList<>();
		if (command.get("cursors") instanceof List<?> cursors) {
			cursors.forEach((id) -> {
				if (id instanceof Number number) {
					ids.add(number.longValue());
				}
			});
		}
		return ids;
	}

	static @Nullable Document commandOf(ClientRequest request) {
		if (request instanceof MongoMessage message) {
			return message.getDocument();
		}
		if (request instanceof MongoQuery query && query.getCollectionName().startsWith("$cmd")) {
			Document document = query.getQuery();
			if (document.get("$query") instanceof Document wrapped) {
				return wrapped;
			}
			return document;
		}
		return null;
	}

	private void hello(ChannelHandlerContext ctx, ClientRequest request, String name, Document command) {
		boolean first = !this.state.helloSeen;
		this.state.helloSeen = true;
		Document reply = new Document();
		if (name.equals("hello")) {
			reply.put("isWritablePrimary", Boolean.TRUE);
		}
		else {
			reply.put("ismaster", Boolean.TRUE);
		}
		if (Utils.isTrue(command.get("helloOk"))) {
			reply.put("helloOk", Boolean.TRUE);
		}
		if (this.state.mongodProxyPort) {
			// A standalone mongod behind a proxy: no msg: isdbgrid, no serviceId.
			MongodProxyPort.hello(this.identity, ctx, first, command);
		}
		else {
			reply.put("msg", "isdbgrid");
		}
		reply.put("maxBsonObjectSize", BsonConstants.MAX_BSON_OBJECT_SIZE);
		reply.put("maxMessageSizeBytes", MongoWireProtocolHandler.MAX_MESSAGE_SIZE_BYTES);
		reply.put("maxWriteBatchSize", MongoWireProtocolHandler.MAX_WRITE_BATCH_SIZE);
		reply.put("localTime", Instant.now());
		reply.put("logicalSessionTimeoutMinutes", 30);
		reply.put("connectionId", this.state.connectionId);
		reply.put("minWireVersion", 0);
		reply.put("maxWireVersion", this.settings.maxWireVersion());
		reply.put("readOnly", Boolean.FALSE);
		if (first && this.state.loadBalancerPort) {
			if (Utils.isTrue(command.get("loadBalanced"))) {
				reply.put("serviceId", this.identity.serviceIdForWire());
				this.state.loadBalanced = true;
				this.counters.loadBalancedHandshake();
			}
			else if (!this.settings.acceptNonLoadBalancedClients()) {
				logger.info("Front {}: a client without load-balanced mode connected to the load-balancer port: {}",
						this.identity.index(), LOAD_BALANCER_SUPPORT_MISMATCH_MESSAGE);
				Document error = error(LOAD_BALANCER_SUPPORT_MISMATCH, "LoadBalancerSupportMismatch",
						LOAD_BALANCER_SUPPORT_MISMATCH_MESSAGE);
				ctx.writeAndFlush(wrap(ctx, request, error)).addListener(ChannelFutureListener.CLOSE);
				return;
			}
		}
		reply(ctx, request, ok(reply));
	}

	private void reply(ChannelHandlerContext ctx, ClientRequest request, Document document) {
		if (request instanceof MongoMessage && this.state.moreToCome.remove(request.getHeader().getRequestID())) {
			return;
		}
		ctx.writeAndFlush(wrap(ctx, request, document));
	}

	static Object wrap(ChannelHandlerContext ctx, ClientRequest request, Document document) {
		MessageHeader header = new MessageHeader(replyIds.incrementAndGet(), request.getHeader().getRequestID());
		if (request instanceof MongoMessage) {
			return new MongoMessage(ctx.channel(), header, document);
		}
		return new MongoReply(header, document);
	}

	private static Document ok(Document document) {
		document.put("ok", 1.0);
		return document;
	}

	static Document error(int code, @Nullable String codeName, String message) {
		Document error = new Document();
		error.put("ok", 0.0);
		error.put("errmsg", message);
		error.put("code", code);
		if (codeName != null) {
			error.put("codeName", codeName);
		}
		return error;
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (msg instanceof MongoMessage message) {
			if (this.state.moreToCome.remove(message.getHeader().getResponseTo())) {
				promise.setSuccess();
				return;
			}
			if (message.getDocument().get("cursor") instanceof Document cursor && cursor.get("id") instanceof Number id
					&& id.longValue() != 0) {
				this.cursors.track(id.longValue(), this.state);
			}
		}
		else if (msg instanceof MongoReply reply && reply.getCursorId() != 0) {
			this.cursors.track(reply.getCursorId(), this.state);
		}
		super.write(ctx, msg, promise);
	}

}
