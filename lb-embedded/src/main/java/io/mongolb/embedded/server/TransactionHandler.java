package io.mongolb.embedded.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.wire.message.MessageHeader;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction part of a front connection, between the front's command handler (which
 * has answered hello, applied the fail point and so on) and the store's database handler:
 * runs the statements of transactions ({@code autocommit: false}) through
 * {@link Transactions}, holds the store lock shared around every other command, parks a
 * write outside a transaction while a transaction holds its collection (without blocking
 * the I/O thread, and reading nothing more from the connection meanwhile), and aborts the
 * connection's transactions when a load-balanced client disconnects.
 */
final class TransactionHandler extends ChannelInboundHandlerAdapter {

	private static final Logger logger = LoggerFactory.getLogger(TransactionHandler.class);

	private static final AtomicInteger replyIds = new AtomicInteger();

	private final FrontIdentity identity;

	private final Transactions transactions;

	private final ConnectionState state;

	TransactionHandler(FrontIdentity identity, Transactions transactions, ConnectionState state) {
		this.identity = identity;
		this.transactions = transactions;
		this.state = state;
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		List<String> aborted = this.transactions.connectionClosed(this.state);
		if (!aborted.isEmpty()) {
			logger.info("Front {}: aborting in-progress transactions of a disconnected load-balanced client {}: {}",
					this.identity.index(), ctx.channel().remoteAddress(), aborted);
		}
		super.channelInactive(ctx);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		if (msg instanceof MongoMessage message && !message.getDocument().isEmpty()) {
			Document command = message.getDocument();
			String name = command.keySet().iterator().next();
			if (Transactions.isTransactionStatement(command)) {
				Document reply = this.transactions.statement(ctx.channel(), this.state, message.getDatabaseName(), name,
						command);
				if (reply != null) {
					ctx.writeAndFlush(new MongoMessage(ctx.channel(), header(message), reply));
					return;
				}
			}
			else if (isWrite(name, command)) {
				write(ctx, message, name, command, 0);
				return;
			}
		}
		long stamp = this.transactions.lockShared();
		try {
			ctx.fireChannelRead(msg);
		}
		finally {
			this.transactions.unlockShared(stamp);
		}
	}

	/*
	 * A write outside a transaction: runs at once unless a transaction holds one of its
	 * namespaces, else waits for it until the deadline (System.nanoTime(), 0 for not set
	 * yet).
	 */
	private void write(ChannelHandlerContext ctx, MongoMessage message, String name, Document command, long deadline) {
		String blocked;
		long stamp = this.transactions.lockShared();
		try {
			if (!this.transactions.anyActive()) {
				ctx.fireChannelRead(message);
				return;
			}
			String database = message.getDatabaseName();
			List<String> namespaces = namespaces(database, name, command);
			blocked = this.transactions.beginOutsideWrite(database, namespaces);
			if (blocked == null) {
				try {
					ctx.fireChannelRead(message);
				}
				finally {
					this.transactions.endOutsideWrite(database, namespaces);
				}
				return;
			}
		}
		finally {
			this.transactions.unlockShared(stamp);
		}
		new BlockedWrite(ctx, message, name, command, blocked, deadline).park();
	}

	private static boolean isWrite(String name, Document command) {
		return switch (name) {
			case "insert", "update", "delete", "findAndModify", "create", "drop", "createIndexes", "dropIndexes",
					"collMod", "dropDatabase", "renameCollection" ->
				true;
			case "aggregate" -> outputOf(command) != null;
			default -> false;
		};
	}

	/*
	 * The namespaces a write changes; empty for dropDatabase (the whole database).
	 */
	private static List<String> namespaces(String database, String name, Document command) {
		List<String> namespaces = new ArrayList<>(2);
		switch (name) {
			case "dropDatabase" -> {
			}
			case "renameCollection" -> {
				namespaces.add(String.valueOf(command.get(name)));
				namespaces.add(String.valueOf(command.get("to")));
			}
			case "aggregate" -> {
				Object output = outputOf(command);
				if (output instanceof String collection) {
					namespaces.add(database + "." + collection);
				}
				else if (output instanceof Document target && target.get("coll") instanceof String collection) {
					Object db = target.get("db");
					namespaces.add(((db instanceof String targetDb) ? targetDb : database) + "." + collection);
				}
			}
			default -> namespaces.add(database + "." + command.get(name));
		}
		return namespaces;
	}

	/*
	 * The target of the last stage of a pipeline when it is $out or $merge ($merge:
	 * "coll", {into: "coll"} or {into: {db, coll}}).
	 */
	private static @Nullable Object outputOf(Document command) {
		if (!(command.get("pipeline") instanceof List<?> pipeline) || pipeline.isEmpty()
				|| !(pipeline.get(pipeline.size() - 1) instanceof Document last)) {
			return null;
		}
		Object out = last.get("$out");
		if (out != null) {
			return out;
		}
		Object merge = last.get("$merge");
		if (merge instanceof Document arguments) {
			return arguments.get("into");
		}
		return merge;
	}

	private static MessageHeader header(MongoMessage request) {
		return new MessageHeader(replyIds.incrementAndGet(), request.getHeader().getRequestID());
	}

	/**
	 * A write parked until the transaction holding its namespace ends or its deadline
	 * passes, whichever comes first. The connection reads nothing more meanwhile, so its
	 * commands keep their order.
	 */
	private final class BlockedWrite implements Runnable {

		private final ChannelHandlerContext ctx;

		private final MongoMessage message;

		private final String name;

		private final Document command;

		private final String namespace;

		private final long deadline;

		private final boolean maxTimeBound;

		private boolean done;

		private @Nullable Future<?> timer;

		BlockedWrite(ChannelHandlerContext ctx, MongoMessage message, String name, Document command, String namespace,
				long deadline) {
			this.ctx = ctx;
			this.message = message;
			this.name = name;
			this.command = command;
			this.namespace = namespace;
			long bound = TransactionHandler.this.transactions.blockedWriteTimeout().toNanos();
			boolean maxTime = false;
			if (command.get("maxTimeMS") instanceof Number maxTimeMs && maxTimeMs.longValue() > 0
					&& TimeUnit.MILLISECONDS.toNanos(maxTimeMs.longValue()) < bound) {
				bound = TimeUnit.MILLISECONDS.toNanos(maxTimeMs.longValue());
				maxTime = true;
			}
			this.maxTimeBound = maxTime;
			this.deadline = (deadline != 0) ? deadline : System.nanoTime() + bound;
		}

		void park() {
			long remaining = this.deadline - System.nanoTime();
			if (remaining <= 0) {
				timedOut();
				return;
			}
			logger.debug("Front {}: '{}' on '{}' waits for {}", TransactionHandler.this.identity.index(), this.name,
					this.namespace, TransactionHandler.this.transactions.holderOf(this.namespace));
			this.ctx.channel().config().setAutoRead(false);
			this.timer = this.ctx.executor().schedule(this::timedOut, remaining, TimeUnit.NANOSECONDS);
			TransactionHandler.this.transactions.awaitRelease(this.namespace, this);
		}

		/** The namespace is free: try again on the connection's own thread. */
		@Override
		public void run() {
			this.ctx.executor().execute(() -> {
				if (this.done) {
					return;
				}
				this.done = true;
				if (this.timer != null) {
					this.timer.cancel(false);
				}
				this.ctx.channel().config().setAutoRead(true);
				if (this.ctx.channel().isActive()) {
					write(this.ctx, this.message, this.name, this.command, this.deadline);
				}
			});
		}

		private void timedOut() {
			if (this.done) {
				return;
			}
			this.done = true;
			TransactionHandler.this.transactions.cancelWait(this.namespace, this);
			this.ctx.channel().config().setAutoRead(true);
			MongoServerError error;
			if (this.maxTimeBound) {
				error = new MongoServerError(Transactions.MAX_TIME_MS_EXPIRED, "MaxTimeMSExpired",
						"operation exceeded time limit: '" + this.name + "' on '" + this.namespace
								+ "' waited for an open transaction that has written to that collection");
			}
			else {
				error = new MongoServerError(Transactions.LOCK_TIMEOUT, "LockTimeout",
						"'" + this.name + "' on '" + this.namespace + "' waited "
								+ TransactionHandler.this.transactions.blockedWriteTimeout().toMillis() + " ms for "
								+ TransactionHandler.this.transactions.holderOf(this.namespace)
								+ ", which has written to that collection and is still open. The embedded "
								+ "load-balanced MongoDB bounds this wait with blockedWriteTimeout (property "
								+ "mongodb.load-balanced.embedded.blocked-write-timeout): commit or abort the "
								+ "transaction first, or raise the bound.");
			}
			if (this.ctx.channel().isActive()) {
				this.ctx.writeAndFlush(
						new MongoMessage(this.ctx.channel(), header(this.message), Transactions.error(error, false)));
			}
		}

	}

}
