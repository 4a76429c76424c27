package io.mongolb.embedded.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The balancer on its own: when no upstream accepts, the client connection is closed and
 * the warning says why.
 */
@ExtendWith(OutputCaptureExtension.class)
class ProxyProtocolBalancerTests {

	@Test
	void noUpstreamAcceptingClosesTheClientAndLogsTheLastFailure(CapturedOutput output) throws IOException {
		List<InetSocketAddress> upstreams = List.of(closedPort(), closedPort());
		try (ProxyProtocolBalancer balancer = ProxyProtocolBalancer.start(new InetSocketAddress("127.0.0.1", 0),
				upstreams, ProxyProtocolVersion.V2); Socket client = new Socket()) {
			client.connect(new InetSocketAddress("127.0.0.1", balancer.getPort()), 5000);
			client.setSoTimeout(10_000);
			assertThat(client.getInputStream().read()).as("the balancer closed the connection").isEqualTo(-1);
			String from = "/127.0.0.1:" + client.getLocalPort();
			// The first connection tries upstream 0, then upstream 1: the last failure is
			// upstream 1's refusal.
			String lastRefusal = "Connection refused: /127.0.0.1:" + upstreams.get(1).getPort();
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(
						() -> assertThat(output.getOut()).contains("No upstream accepted the connection from " + from)
							.contains(lastRefusal));
		}
	}

	private static InetSocketAddress closedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
		}
	}

}
