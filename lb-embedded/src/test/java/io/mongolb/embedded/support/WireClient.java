package io.mongolb.embedded.support;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;

/**
 * A raw-socket MongoDB wire client for tests that need exact bytes: PROXY headers, OP_MSG
 * flags, OP_QUERY.
 */
public final class WireClient implements AutoCloseable {

	/** The 12-byte PROXY protocol v2 signature. */
	public static final byte[] V2_SIGNATURE = { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54,
			0x0A };

	private static final int OP_REPLY = 1;

	private static final int OP_QUERY = 2004;

	private static final int OP_MSG = 2013;

	private final Socket socket;

	private final OutputStream out;

	private final DataInputStream in;

	private int requestId = 100;

	public WireClient(int port) throws IOException {
		this.socket = new Socket();
		this.socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
		this.socket.setSoTimeout(10_000);
		this.out = this.socket.getOutputStream();
		this.in = new DataInputStream(this.socket.getInputStream());
	}

	/** A v1 header for a TCP4 connection from 127.0.0.1:50000. */
	public static byte[] v1Header() {
		return "PROXY TCP4 127.0.0.1 127.0.0.1 50000 27017\r\n".getBytes(StandardCharsets.US_ASCII);
	}

	/** A v2 PROXY TCP4 header from 127.0.0.1:50000. */
	public static byte[] v2ProxyHeader() {
		ByteBuffer buffer = ByteBuffer.allocate(28).order(ByteOrder.BIG_ENDIAN);
		buffer.put(V2_SIGNATURE).put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
		buffer.put(new byte[] { 127, 0, 0, 1 }).put(new byte[] { 127, 0, 0, 1 });
		buffer.putShort((short) 50000).putShort((short) 27017);
		return buffer.array();
	}

	/** A v2 LOCAL header (what HAProxy's health checks send). */
	public static byte[] v2LocalHeader() {
		ByteBuffer buffer = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN);
		buffer.put(V2_SIGNATURE).put((byte) 0x20).put((byte) 0x00).putShort((short) 0);
		return buffer.array();
	}

	public void send(byte[] bytes) throws IOException {
		this.out.write(bytes);
		this.out.flush();
	}

	/** Sends an OP_MSG command and reads its reply. */
	public BsonDocument command(BsonDocument command) throws IOException {
		int id = sendMessage(command, 0);
		return readMessageReply(id);
	}

	/** Sends an OP_MSG with the given flag bits, returns the request id. */
	public int sendMessage(BsonDocument command, int flags) throws IOException {
		byte[] body = bson(command);
		int id = ++this.requestId;
		ByteBuffer buffer = ByteBuffer.allocate(16 + 4 + 1 + body.length).order(ByteOrder.LITTLE_ENDIAN);
		buffer.putInt(buffer.capacity()).putInt(id).putInt(0).putInt(OP_MSG);
		buffer.putInt(flags).put((byte) 0).put(body);
		send(buffer.array());
		return id;
	}

	/**
	 * Sends an OP_QUERY command to {@code admin.$cmd} and reads the OP_REPLY's first
	 * document.
	 */
	public BsonDocument legacyCommand(BsonDocument command) throws IOException {
		byte[] body = bson(command);
		byte[] collection = "admin.$cmd\0".getBytes(StandardCharsets.US_ASCII);
		int id = ++this.requestId;
		ByteBuffer buffer = ByteBuffer.allocate(16 + 4 + collection.length + 8 + body.length)
			.order(ByteOrder.LITTLE_ENDIAN);
		buffer.putInt(buffer.capacity()).putInt(id).putInt(0).putInt(OP_QUERY);
		buffer.putInt(0).put(collection).putInt(0).putInt(-1).put(body);
		send(buffer.array());
		ByteBuffer reply = readFrame();
		int responseTo = reply.getInt(8);
		int opCode = reply.getInt(12);
		if (responseTo != id || opCode != OP_REPLY) {
			throw new IOException("Unexpected reply: responseTo " + responseTo + ", opCode " + opCode);
		}
		int documentStart = 16 + 4 + 8 + 4 + 4;
		return new RawBsonDocument(Arrays.copyOfRange(reply.array(), documentStart, reply.capacity()));
	}

	/** Reads the next OP_MSG reply, which must answer the given request id. */
	public BsonDocument readMessageReply(int requestId) throws IOException {
		ByteBuffer reply = readFrame();
		int responseTo = reply.getInt(8);
		int opCode = reply.getInt(12);
		if (responseTo != requestId || opCode != OP_MSG) {
			throw new IOException(
					"Unexpected reply: responseTo " + responseTo + " (expected " + requestId + "), opCode " + opCode);
		}
		int documentStart = 16 + 4 + 1;
		return new RawBsonDocument(Arrays.copyOfRange(reply.array(), documentStart, reply.capacity()));
	}

	private ByteBuffer readFrame() throws IOException {
		byte[] lengthBytes = new byte[4];
		this.in.readFully(lengthBytes);
		int length = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getInt();
		byte[] frame = new byte[length];
		System.arraycopy(lengthBytes, 0, frame, 0, 4);
		this.in.readFully(frame, 4, length - 4);
		return ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
	}

	/**
	 * Returns whether the server closed the connection: a read returns end of stream or
	 * the connection is reset within the socket timeout.
	 */
	public boolean isClosedByServer() throws IOException {
		InputStream stream = this.socket.getInputStream();
		try {
			return stream.read() == -1;
		}
		catch (SocketTimeoutException ex) {
			return false;
		}
		catch (SocketException ex) {
			return true;
		}
	}

	/**
	 * The client side's port, as the server sees it in the connection's remote address.
	 */
	public int localPort() {
		return this.socket.getLocalPort();
	}

	public void setReadTimeout(int millis) throws SocketException {
		this.socket.setSoTimeout(millis);
	}

	private static byte[] bson(BsonDocument document) {
		BasicOutputBuffer buffer = new BasicOutputBuffer();
		try (BsonBinaryWriter writer = new BsonBinaryWriter(buffer)) {
			new BsonDocumentCodec().encode(writer, document, EncoderContext.builder().build());
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try {
			buffer.pipe(bytes);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return bytes.toByteArray();
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

}
