package io.mongolb.embedded.server;

import java.io.IOException;
import java.util.List;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

/**
 * Frames wire messages and takes the {@code moreToCome} and {@code exhaustAllowed} flag
 * bits off OP_MSG messages, which mongo-java-server's decoder rejects. The request ids of
 * {@code moreToCome} messages are remembered so that their replies are dropped: the
 * client expects none.
 */
final class MoreToComeDecoder extends ByteToMessageDecoder {

	private static final int OP_MSG = 2013;

	private static final int HEADER_LENGTH = 16;

	private static final int MORE_TO_COME = 1 << 1;

	private static final int EXHAUST_ALLOWED = 1 << 16;

	private static final int MAX_MESSAGE_LENGTH = 48_000_000;

	private final ConnectionState state;

	MoreToComeDecoder(ConnectionState state) {
		this.state = state;
	}

	@Override
	protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws IOException {
		if (in.readableBytes() < 4) {
			return;
		}
		int length = in.getIntLE(in.readerIndex());
		if (length < HEADER_LENGTH || length > MAX_MESSAGE_LENGTH) {
			in.skipBytes(in.readableBytes());
			throw new IOException("Invalid wire message length " + length);
		}
		if (in.readableBytes() < length) {
			return;
		}
		int start = in.readerIndex();
		int opCode = in.getIntLE(start + 12);
		if (opCode == OP_MSG && length >= HEADER_LENGTH + 4) {
			int flags = in.getIntLE(start + HEADER_LENGTH);
			if ((flags & (MORE_TO_COME | EXHAUST_ALLOWED)) != 0) {
				ByteBuf copy = in.readBytes(length);
				copy.setIntLE(HEADER_LENGTH, flags & ~(MORE_TO_COME | EXHAUST_ALLOWED));
				if ((flags & MORE_TO_COME) != 0) {
					this.state.moreToCome.add(copy.getIntLE(4));
				}
				out.add(copy);
				return;
			}
		}
		out.add(in.readRetainedSlice(length));
	}

}
