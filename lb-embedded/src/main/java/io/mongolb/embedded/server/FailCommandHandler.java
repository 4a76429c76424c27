package io.mongolb.embedded.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.ClientRequest;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoReply;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the front's {@code failCommand} fail point to the commands of one connection,
 * before the mongos part of the front ({@link FrontCommandHandler}) sees them: closes the
 * connection, answers with the configured error, or lets the command run and adds the
 * configured {@code writeConcernError} to its reply.
 * <p>
 * {@code blockConnection} holds the command for {@code blockTimeMS} without holding the
 * event loop thread, which other connections share: the rest of the command is scheduled
 * on the channel's event loop, reading from the connection pauses, and whatever this
 * connection sent meanwhile is queued and handled afterwards, in the order it arrived. A
 * connection closed while its command is held (e.g. by a driver's socket timeout) drops
 * the command and the queue.
 */
final class FailCommandHandler extends ChannelDuplexHandler {

	private static final Logger logger = LoggerFactory.getLogger(FailCommandHandler.class);

	private final FrontIdentity identity;

	private final FailPoint failPoint;

	private final ConnectionState state;

	/** Messages that arrived while a command is held; {@code null} when none is. */
	private @Nullable ArrayDeque<Object> held;

	/** The request whose reply gets {@link #writeConcernError}, or -1. */
	private int writeConcernErrorFor = -1;

	private FailPoint.@Nullable Action writeConcernError;

	FailCommandHandler(FrontIdentity identity, FailPoint failPoint, ConnectionState state) {
		this.identity = identity;
		this.failPoint = failPoint;
		this.state = state;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		ArrayDeque<Object> queue = this.held;
		if (queue != null) {
			queue.add(msg);
			return;
		}
		handle(ctx, msg);
	}

	private void handle(ChannelHandlerContext ctx, Object msg) {
		if (!(msg instanceof ClientRequest request)) {
			ctx.fireChannelRead(msg);
			return;
		}
		Document command = FrontCommandHandler.commandOf(request);
		if (command == null || command.isEmpty()) {
			ctx.fireChannelRead(msg);
			return;
		}
		String name = command.keySet().iterator().next();
		if (name.equals("configureFailPoint")) {
			ctx.fireChannelRead(msg);
			return;
		}
		boolean hello = name.equalsIgnoreCase("hello") || name.equalsIgnoreCase("isMaster");
		if (hello) {
			// The appName filter must already see the name this very hello announces.
			rememberAppName(command);
		}
		FailPoint.Action action = this.failPoint.check(failPointName(name), this.state.appName, command);
		if (action == null) {
			ctx.fireChannelRead(msg);
			return;
		}
		if (action.blockTimeMillis() >= 0) {
			block(ctx, request, name, action);
			return;
		}
		act(ctx, request, name, action);
	}

	private void block(ChannelHandlerContext ctx, ClientRequest request, String name, FailPoint.Action action) {
		logger.debug("Front {}: failCommand fail point blocks '{}' for {} ms", this.identity.index(), name,
				action.blockTimeMillis());
		this.held = new ArrayDeque<>();
		ctx.channel().config().setAutoRead(false);
		ctx.executor()
			.schedule(() -> resume(ctx, request, name, action), action.blockTimeMillis(), TimeUnit.MILLISECONDS);
	}

	private void resume(ChannelHandlerContext ctx, ClientRequest request, String name, FailPoint.Action action) {
		ArrayDeque<Object> queue = this.held;
		this.held = null;
		if (!ctx.channel().isActive()) {
			logger.debug("Front {}: connection closed while '{}' was blocked by the failCommand fail point",
					this.identity.index(), name);
			return;
		}
		act(ctx, request, name, action);
		// Whatever came in meanwhile, in order, until a command is held again.
		while (queue != null && !queue.isEmpty() && ctx.channel().isActive()) {
			if (this.held != null) {
				this.held.addAll(queue);
				return;
			}
			handle(ctx, queue.poll());
		}
		if (this.held == null && ctx.channel().isActive()) {
			ctx.channel().config().setAutoRead(true);
		}
	}

	private void act(ChannelHandlerContext ctx, ClientRequest request, String name, FailPoint.Action action) {
		if (action.closeConnection()) {
			logger.info("Front {}: failCommand fail point closes the connection on '{}'", this.identity.index(), name);
			ctx.channel().close();
			return;
		}
		Integer errorCode = action.errorCode();
		if (errorCode != null) {
			Document error = FrontCommandHandler.error(errorCode, null, "Failing command via 'failCommand' failpoint");
			if (!action.errorLabels().isEmpty()) {
				error.put("errorLabels", new ArrayList<>(action.errorLabels()));
			}
			if (request instanceof MongoMessage && this.state.moreToCome.remove(request.getHeader().getRequestID())) {
				return;
			}
			ctx.writeAndFlush(FrontCommandHandler.wrap(ctx, request, error));
			return;
		}
		if (action.writeConcernError() == null) {
			ctx.fireChannelRead(request);
			return;
		}
		// The database handler answers synchronously, through write() below.
		this.writeConcernErrorFor = request.getHeader().getRequestID();
		this.writeConcernError = action;
		try {
			ctx.fireChannelRead(request);
		}
		finally {
			this.writeConcernErrorFor = -1;
			this.writeConcernError = null;
		}
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		FailPoint.@Nullable Action action = this.writeConcernError;
		if (action != null) {
			Document reply = replyDocument(msg, this.writeConcernErrorFor);
			if (reply != null && action.writeConcernError() != null) {
				reply.put("writeConcernError", action.writeConcernError());
				if (!action.errorLabels().isEmpty()) {
					reply.put("errorLabels", new ArrayList<>(action.errorLabels()));
				}
				this.writeConcernError = null;
			}
		}
		super.write(ctx, msg, promise);
	}

	private static @Nullable Document replyDocument(Object msg, int requestId) {
		if (msg instanceof MongoMessage message && message.getHeader().getResponseTo() == requestId) {
			return message.getDocument();
		}
		if (msg instanceof MongoReply reply && reply.getHeader().getResponseTo() == requestId
				&& reply.getDocuments().size() == 1) {
			return reply.getDocuments().get(0);
		}
		return null;
	}

	/*
	 * The name a command is matched by in {@code failCommands}: its own, except that the
	 * legacy lower-case {@code ismaster} is {@code isMaster}.
	 */
	private static String failPointName(String name) {
		return name.equals("ismaster") ? "isMaster" : name;
	}

	/*
	 * Takes the application name from the client metadata of the connection's first
	 * hello, as mongos does.
	 */
	private void rememberAppName(Document command) {
		if (!this.state.helloSeen && command.get("client") instanceof Document client
				&& client.get("application") instanceof Document application
				&& application.get("name") instanceof String appName) {
			this.state.appName = appName;
		}
	}

}
