package io.mongolb.embedded.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Ports on 127.0.0.1, for tests.
 */
public final class LoopbackPorts {

	private LoopbackPorts() {
	}

	/**
	 * Whether something accepts connections on the port.
	 * @param port the port on 127.0.0.1
	 * @return {@code true} when a connection opens within 500 ms
	 */
	public static boolean accepts(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * A port that was free a moment ago (another process may take it before it is used:
	 * prefer binding port 0 where the server allows it).
	 * @return the port
	 */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
