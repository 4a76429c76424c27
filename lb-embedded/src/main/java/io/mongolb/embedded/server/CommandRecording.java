package io.mongolb.embedded.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.message.ClientRequest;
import de.bwaldvogel.mongo.wire.message.MongoMessage;
import de.bwaldvogel.mongo.wire.message.MongoQuery;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * What one front received, for tests of what a driver sends through a balancer (e.g. that
 * every pooled connection's first {@code hello} carries {@code loadBalanced: true}): off
 * until {@link #start(int)}, then a copy of each command document as it arrived, with the
 * connection it came on, the newest {@code limit} of them. Off, it costs a volatile read
 * per message.
 */
final class CommandRecording {

	private final ConcurrentLinkedDeque<Received> received = new ConcurrentLinkedDeque<>();

	private final AtomicInteger size = new AtomicInteger();

	private volatile int limit;

	/**
	 * Starts (or restarts) recording, forgetting what was recorded.
	 * @param limit the number of commands kept, the newest ones
	 */
	void start(int limit) {
		this.limit = limit;
		this.received.clear();
		this.size.set(0);
	}

	void stop() {
		this.limit = 0;
	}

	List<Received> received() {
		return new ArrayList<>(this.received);
	}

	/**
	 * Returns the handler that records one connection's commands.
	 * @param state the connection
	 * @return the handler
	 */
	ChannelHandler handler(ConnectionState state) {
		return new ChannelInboundHandlerAdapter() {

			@Override
			public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
				int max = CommandRecording.this.limit;
				if (max > 0 && msg instanceof ClientRequest request) {
					record(state, request, max);
				}
				ctx.fireChannelRead(msg);
			}

		};
	}

	private void record(ConnectionState state, ClientRequest request, int max) {
		Document command = null;
		if (request instanceof MongoMessage message) {
			command = message.getDocument();
		}
		else if (request instanceof MongoQuery query && query.getCollectionName().startsWith("$cmd")) {
			command = query.getQuery();
		}
		if (command == null) {
			return;
		}
		this.received.add(new Received(state.connectionId, state.loadBalancerPort, command.cloneDeeply()));
		if (this.size.incrementAndGet() > max) {
			this.received.pollFirst();
			this.size.decrementAndGet();
		}
	}

	/**
	 * A command as a front received it.
	 *
	 * @param connectionId the id of the front connection it came on
	 * @param loadBalancerPort whether that connection is on the load-balancer port
	 * @param command a copy of the command document
	 */
	record Received(int connectionId, boolean loadBalancerPort, Document command) {

		String name() {
			return this.command.isEmpty() ? "" : this.command.keySet().iterator().next();
		}

	}

}
