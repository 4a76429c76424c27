package io.mongolb.embedded.server;

import java.util.concurrent.TimeUnit;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;

/**
 * Holds back a {@code getMore} on a change stream that has nothing to return, as mongod
 * does for a tailable, awaitData cursor: until an event in the stream's scope arrives or
 * {@code maxAwaitTimeMS} (default 1 second, as on mongod) has passed, whichever is first;
 * then the store answers it. Nothing blocks and nothing polls: the connection's event
 * loop stays free (other connections on it go on), a write wakes the held {@code getMore}
 * through the history, and a timer ends the wait. One per connection, between the front
 * and the store, present only when change streams are on; a disconnect drops what it
 * holds.
 */
final class ChangeStreamAwait extends ChannelInboundHandlerAdapter {

	static final long DEFAULT_MAX_AWAIT_MILLIS = 1_000;

	private final SharedStore store;

	private final ChangeStreamHistory history;

	private @Nullable MongoMessage held;

	private @Nullable ChangeStreamCursor heldStream;

	private long deadlineNanos;

	private @Nullable ScheduledFuture<?> timer;

	private @Nullable Runnable wakeUp;

	ChangeStreamAwait(SharedStore store, ChangeStreamHistory history) {
		this.store = store;
		this.history = history;
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		Document command = (msg instanceof MongoMessage message) ? message.getDocument() : null;
		if (command != null && !command.isEmpty() && command.keySet().iterator().next().equals("getMore")
				&& command.get("getMore") instanceof Number id) {
			ChangeStreamCursor stream = this.store.changeStream(id.longValue());
			if (stream != null && this.held == null) {
				long maxAwait = (command.get("maxTimeMS") instanceof Number ms) ? ms.longValue()
						: DEFAULT_MAX_AWAIT_MILLIS;
				if (maxAwait > 0 && !stream.hasEventsInScope()) {
					hold(ctx, (MongoMessage) msg, stream, maxAwait);
					return;
				}
			}
		}
		ctx.fireChannelRead(msg);
	}

	private void hold(ChannelHandlerContext ctx, MongoMessage message, ChangeStreamCursor stream, long maxAwait) {
		this.held = message;
		this.heldStream = stream;
		this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxAwait);
		this.timer = ctx.executor().schedule(() -> release(ctx), maxAwait, TimeUnit.MILLISECONDS);
		listen(ctx);
	}

	private void listen(ChannelHandlerContext ctx) {
		Runnable next = () -> ctx.executor().execute(() -> wokenUp(ctx));
		this.wakeUp = next;
		this.history.onNextEvent(next);
		// An event may have come between the check and the registration.
		ChangeStreamCursor stream = this.heldStream;
		if (stream != null && stream.hasEventsInScope()) {
			release(ctx);
		}
	}

	/*
	 * An event arrived: answer if it is in the held stream's scope, else wait on (until
	 * the deadline, which the timer keeps).
	 */
	private void wokenUp(ChannelHandlerContext ctx) {
		ChangeStreamCursor stream = this.heldStream;
		if (this.held == null || stream == null) {
			return;
		}
		if (stream.hasEventsInScope() || System.nanoTime() - this.deadlineNanos >= 0) {
			release(ctx);
		}
		else {
			listen(ctx);
		}
	}

	private void release(ChannelHandlerContext ctx) {
		MongoMessage message = this.held;
		if (message == null) {
			return;
		}
		clear();
		if (ctx.channel().isActive()) {
			ctx.fireChannelRead(message);
		}
	}

	private void clear() {
		this.held = null;
		this.heldStream = null;
		if (this.timer != null) {
			this.timer.cancel(false);
			this.timer = null;
		}
		if (this.wakeUp != null) {
			this.history.forget(this.wakeUp);
			this.wakeUp = null;
		}
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		clear();
		super.channelInactive(ctx);
	}

}
