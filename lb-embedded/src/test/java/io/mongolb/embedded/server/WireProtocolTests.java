package io.mongolb.embedded.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.support.WireClient;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.as;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Exact wire behaviour of the fronts, with a raw socket: PROXY headers, the load-balanced
 * handshake on OP_MSG and OP_QUERY, later hellos, the normal port, moreToCome,
 * serverStatus.
 */
@ExtendWith(OutputCaptureExtension.class)
@EmbeddedLoadBalancedMongoTest(fronts = 2, proxyHeaderTimeoutMillis = 500)
class WireProtocolTests {

	private static EmbeddedLoadBalancedMongo mongo;

	static BsonDocument hello(boolean loadBalanced) {
		BsonDocument hello = new BsonDocument("hello", new BsonInt32(1)).append("$db", new BsonString("admin"));
		if (loadBalanced) {
			hello.append("loadBalanced", BsonBoolean.TRUE);
		}
		return hello;
	}

	@ParameterizedTest
	@ValueSource(strings = { "v1", "v1-tcp6", "v1-tcp6-full", "v1-tcp6-ipv4-mapped", "v1-unknown",
			"v1-unknown-with-addresses", "v2", "v2-local" })
	void firstLoadBalancedHelloGetsTheServiceIdAndLaterOnesDoNot(String header) throws IOException {
		ProxyHeaderCounts before = mongo.getProxyHeaderCounts(1);
		try (WireClient client = new WireClient(mongo.getLoadBalancerPort(1))) {
			client.send(switch (header) {
				case "v1" -> WireClient.v1Header();
				case "v1-tcp6" -> ascii("PROXY TCP6 ::1 ::1 50000 27017\r\n");
				case "v1-tcp6-full" -> ascii("PROXY TCP6 2001:0db8:0000:0000:0000:ff00:0042:8329 fe80::1 0 65535\r\n");
				case "v1-tcp6-ipv4-mapped" -> ascii("PROXY TCP6 ::ffff:192.0.2.1 ::ffff:127.0.0.1 50000 27017\r\n");
				case "v1-unknown" -> ascii("PROXY UNKNOWN\r\n");
				case "v1-unknown-with-addresses" -> ascii("PROXY UNKNOWN ffff::1 ffff::2 65535 65535\r\n");
				case "v2" -> WireClient.v2ProxyHeader();
				default -> WireClient.v2LocalHeader();
			});
			BsonDocument first = client.command(hello(true));
			assertThat(first.getDouble("ok").getValue()).isEqualTo(1.0);
			// The front counted the header it received, by version and command.
			assertThat(mongo.getProxyHeaderCounts(1)).isEqualTo(switch (header) {
				case "v2" -> new ProxyHeaderCounts(before.v1(), before.v2() + 1, before.v2Local());
				case "v2-local" -> new ProxyHeaderCounts(before.v1(), before.v2(), before.v2Local() + 1);
				default -> new ProxyHeaderCounts(before.v1() + 1, before.v2(), before.v2Local());
			});
			assertThat(first.getString("msg").getValue()).isEqualTo("isdbgrid");
			assertThat(first.getBoolean("isWritablePrimary").getValue()).isTrue();
			assertThat(first.getInt32("maxWireVersion").getValue()).isEqualTo(21);
			assertThat(first.getObjectId("serviceId").getValue()).isEqualTo(mongo.getServiceId(1));
			BsonDocument second = client.command(hello(true));
			assertThat(second.getDouble("ok").getValue()).isEqualTo(1.0);
			assertThat(second.containsKey("serviceId")).isFalse();
			BsonDocument ping = client
				.command(new BsonDocument("ping", new BsonInt32(1)).append("$db", new BsonString("admin")));
			assertThat(ping.getDouble("ok").getValue()).isEqualTo(1.0);
		}
	}

	@Test
	void legacyOpQueryHandshakeGetsTheServiceId() throws IOException {
		try (WireClient client = new WireClient(mongo.getLoadBalancerPort(0))) {
			client.send(WireClient.v1Header());
			BsonDocument reply = client
				.legacyCommand(new BsonDocument("isMaster", new BsonInt32(1)).append("loadBalanced", BsonBoolean.TRUE));
			assertThat(reply.getBoolean("ismaster").getValue()).isTrue();
			assertThat(reply.getObjectId("serviceId").getValue()).isEqualTo(mongo.getServiceId(0));
		}
	}

	@Test
	void nonLoadBalancedHelloOnTheLoadBalancerPortGets354AndIsClosedOnOpMsg() throws IOException {
		try (WireClient client = new WireClient(mongo.getLoadBalancerPort(0))) {
			client.send(WireClient.v2ProxyHeader());
			BsonDocument reply = client.command(hello(false));
			assertThat(reply.getDouble("ok").getValue()).isEqualTo(0.0);
			assertThat(reply.getInt32("code").getValue()).isEqualTo(354);
			assertThat(reply.getString("codeName").getValue()).isEqualTo("LoadBalancerSupportMismatch");
			assertThat(reply.getString("errmsg").getValue()).isEqualTo(
					"The server is being accessed through a load balancer, but this driver does not have load balancing enabled");
			assertThat(client.isClosedByServer()).isTrue();
		}
	}

	@Test
	void nonLoadBalancedIsMasterOnTheLoadBalancerPortGets354AndIsClosedOnOpQuery() throws IOException {
		try (WireClient client = new WireClient(mongo.getLoadBalancerPort(1))) {
			client.send(WireClient.v1Header());
			BsonDocument reply = client.legacyCommand(new BsonDocument("isMaster", new BsonInt32(1)));
			assertThat(reply.getInt32("code").getValue()).isEqualTo(354);
			assertThat(reply.getString("codeName").getValue()).isEqualTo("LoadBalancerSupportMismatch");
			assertThat(client.isClosedByServer()).isTrue();
		}
	}

	@Test
	void normalPortIgnoresLoadBalanced() throws IOException {
		try (WireClient client = new WireClient(mongo.getPort(0))) {
			BsonDocument reply = client.command(hello(true));
			assertThat(reply.getDouble("ok").getValue()).isEqualTo(1.0);
			assertThat(reply.getString("msg").getValue()).isEqualTo("isdbgrid");
			assertThat(reply.containsKey("serviceId")).isFalse();
		}
	}

	@Test
	void noProxyHeaderClosesTheConnection() throws IOException {
		try (WireClient client = new WireClient(mongo.getLoadBalancerPort(0))) {
			// A well-formed hello, but no PROXY header before it.
			client.sendMessage(hello(true), 0);
			assertThat(client.isClosedByServer()).isTrue();
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "garbage", "http", "bad-v1-addresses", "v1-too-long", "truncated-v1", "truncated-v2",
			"bad-v2-signature", "bad-v2-version", "short", "nothing", "v1-bracketed-ipv6", "v1-zone-id", "v1-plus-port",
			"v1-space-before-crlf", "v1-double-space", "v1-ipv4-in-tcp6", "v1-ipv6-in-tcp4", "v1-leading-zero-octet",
			"v1-leading-zero-port", "v1-port-too-large", "v1-lower-case-protocol", "v1-two-double-colons", "v1-lf-only",
			"v1-cr-only", "v1-nul", "v1-unknown-no-space" })
	void malformedOrMissingHeaderClosesThatConnectionOnly(String shape, CapturedOutput output) throws IOException {
		try (WireClient healthy = new WireClient(mongo.getLoadBalancerPort(0))) {
			healthy.send(WireClient.v2ProxyHeader());
			assertThat(healthy.command(hello(true)).containsKey("serviceId")).isTrue();

			try (WireClient client = new WireClient(mongo.getLoadBalancerPort(0))) {
				byte[] bytes = switch (shape) {
					case "garbage" -> new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
					case "http" -> "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
					case "bad-v1-addresses" -> "PROXY TCP4 999.1.1.1 1.2.3 x y\r\n".getBytes(StandardCharsets.US_ASCII);
					case "v1-too-long" -> ("PROXY TCP4 " + "1".repeat(200)).getBytes(StandardCharsets.US_ASCII);
					case "truncated-v1" -> "PROXY TCP4 127.0.0.1 127.0".getBytes(StandardCharsets.US_ASCII);
					case "truncated-v2" -> Arrays.copyOf(WireClient.v2ProxyHeader(), 20);
					case "bad-v2-signature" -> {
						byte[] header = WireClient.v2ProxyHeader();
						header[11] = 0x0B;
						yield header;
					}
					case "bad-v2-version" -> {
						byte[] header = WireClient.v2ProxyHeader();
						header[12] = 0x31;
						yield header;
					}
					case "short" -> new byte[] { 0x0D, 0x0A, 0x0D };
					case "v1-bracketed-ipv6" -> ascii("PROXY TCP6 [::1] [::1] 50000 27017\r\n");
					case "v1-zone-id" -> ascii("PROXY TCP6 fe80::1%eth0 fe80::2 50000 27017\r\n");
					case "v1-plus-port" -> ascii("PROXY TCP4 127.0.0.1 127.0.0.1 +80 27017\r\n");
					case "v1-space-before-crlf" -> ascii("PROXY TCP4 127.0.0.1 127.0.0.1 50000 27017 \r\n");
					case "v1-double-space" -> ascii("PROXY TCP4  127.0.0.1 127.0.0.1 50000 27017\r\n");
					case "v1-ipv4-in-tcp6" -> ascii("PROXY TCP6 127.0.0.1 127.0.0.1 50000 27017\r\n");
					case "v1-ipv6-in-tcp4" -> ascii("PROXY TCP4 ::1 ::1 50000 27017\r\n");
					case "v1-leading-zero-octet" -> ascii("PROXY TCP4 127.000.0.1 127.0.0.1 50000 27017\r\n");
					case "v1-leading-zero-port" -> ascii("PROXY TCP4 127.0.0.1 127.0.0.1 050000 27017\r\n");
					case "v1-port-too-large" -> ascii("PROXY TCP4 127.0.0.1 127.0.0.1 65536 27017\r\n");
					case "v1-lower-case-protocol" -> ascii("PROXY tcp4 127.0.0.1 127.0.0.1 50000 27017\r\n");
					case "v1-two-double-colons" -> ascii("PROXY TCP6 1::2::3 ::1 50000 27017\r\n");
					case "v1-lf-only" -> ascii("PROXY TCP4 127.0.0.1 127.0.0.1 50000 27017\n");
					case "v1-cr-only" -> ascii("PROXY TCP4 127.0.0.1 127.0.0.1 50000 27017\rX");
					case "v1-nul" -> ascii("PROXY TCP4 127.0.0.1\0 127.0.0.1 50000 27017\r\n");
					case "v1-unknown-no-space" -> ascii("PROXY UNKNOWNX\r\n");
					default -> new byte[0];
				};
				client.send(bytes);
				assertThat(client.isClosedByServer()).as("connection closed after %s", shape).isTrue();
				// The front says why, in mongos's words, naming the connection.
				String connection = "connection from /127.0.0.1:" + client.localPort() + ": ";
				await().atMost(Duration.ofSeconds(5))
					.untilAsserted(() -> assertThat(output.getOut().lines().filter((line) -> line.contains(connection)))
						.singleElement(as(InstanceOfAssertFactories.STRING))
						.contains(" WARN ")
						.contains(connection + "Initial Proxy Protocol header bytes invalid: ")
						.contains("; Make sure your proxy is configured to emit a Proxy Protocol header"));
			}

			BsonDocument ping = healthy
				.command(new BsonDocument("ping", new BsonInt32(1)).append("$db", new BsonString("admin")));
			assertThat(ping.getDouble("ok").getValue()).isEqualTo(1.0);
		}
	}

	@Test
	void aCarriageReturnTooLateForAVersion1HeaderIsRefusedWithoutWaitingForTheTimeout(CapturedOutput output)
			throws IOException {
		try (WireClient client = new WireClient(mongo.getLoadBalancerPort(0))) {
			// 107 bytes, the longest header: its last byte is a CR, whose LF could only
			// come
			// as the 108th byte. No header can end there, so the front must not wait for
			// it.
			byte[] bytes = ascii("PROXY UNKNOWN " + "x".repeat(92) + "\r");
			assertThat(bytes).hasSize(107);
			client.send(bytes);
			assertThat(client.isClosedByServer()).isTrue();
			String connection = "connection from /127.0.0.1:" + client.localPort() + ": ";
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(output.getOut().lines().filter((line) -> line.contains(connection)))
					.singleElement(as(InstanceOfAssertFactories.STRING))
					.contains("Initial Proxy Protocol header bytes invalid: ")
					.doesNotContain("no complete header within"));
		}
	}

	@Test
	void connectionWithAHeaderOutlivesTheHeaderTimeout() throws IOException {
		try (WireClient client = new WireClient(mongo.getLoadBalancerPort(0))) {
			client.send(WireClient.v2ProxyHeader());
			assertThat(client.command(hello(true)).containsKey("serviceId")).isTrue();
			BsonDocument ping = new BsonDocument("ping", new BsonInt32(1)).append("$db", new BsonString("admin"));
			// The 500 ms header timeout was cancelled when the header arrived: the
			// connection stays open past it.
			await().during(Duration.ofMillis(800))
				.atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(client.command(ping).getDouble("ok").getValue()).isEqualTo(1.0));
		}
	}

	@Test
	void connectionClosedBeforeTheHeaderTimeoutIsNotReported(CapturedOutput output) throws IOException {
		String connection;
		try (WireClient client = new WireClient(mongo.getLoadBalancerPort(0))) {
			connection = "connection from /127.0.0.1:" + client.localPort() + ": ";
		}
		await().during(Duration.ofMillis(800))
			.atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(output.getOut()).doesNotContain(connection));
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	@Test
	void moreToComeRunsTheCommandAndSendsNoReply() throws IOException {
		try (WireClient client = new WireClient(mongo.getLoadBalancerPort(1))) {
			client.send(WireClient.v2ProxyHeader());
			client.command(hello(true));
			BsonDocument insert = new BsonDocument("insert", new BsonString("moreToCome"))
				.append("documents", new BsonArray(java.util.List.of(new BsonDocument("_id", new BsonInt32(7)))))
				.append("writeConcern", new BsonDocument("w", new BsonInt32(0)))
				.append("$db", new BsonString("wire"));
			client.sendMessage(insert, 2);
			// The next reply read must be the count's: no reply came for the moreToCome
			// insert.
			BsonDocument count = client
				.command(new BsonDocument("count", new BsonString("moreToCome")).append("$db", new BsonString("wire")));
			assertThat(count.getNumber("n").intValue()).isEqualTo(1);
		}
	}

	@Test
	void serverStatusCountsLoadBalancedConnectionsAndCursorsPerFront() throws IOException {
		try (WireClient admin = new WireClient(mongo.getPort(1))) {
			BsonDocument serverStatus = new BsonDocument("serverStatus", new BsonInt32(1)).append("$db",
					new BsonString("admin"));
			int before = admin.command(serverStatus).getDocument("connections").getInt32("loadBalanced").getValue();
			try (WireClient client = new WireClient(mongo.getLoadBalancerPort(1))) {
				client.send(WireClient.v1Header());
				client.command(hello(true));
				BsonDocument status = admin.command(serverStatus);
				assertThat(status.getString("process").getValue()).isEqualTo("mongos");
				assertThat(status.getDocument("connections").getInt32("loadBalanced").getValue()).isEqualTo(before + 1);
				assertThat(mongo.getLoadBalancedConnections(1)).isEqualTo(before + 1);
			}
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(
						admin.command(serverStatus).getDocument("connections").getInt32("loadBalanced").getValue())
					.isEqualTo(before));
		}
	}

	@Test
	void killCursorsCommandIsForwardedAndForgotten() throws IOException {
		try (WireClient client = new WireClient(mongo.getLoadBalancerPort(0))) {
			client.send(WireClient.v2ProxyHeader());
			client.command(hello(true));
			BsonArray documents = new BsonArray();
			for (int i = 0; i < 5; i++) {
				documents.add(new BsonDocument("_id", new BsonInt32(i)));
			}
			client.command(new BsonDocument("insert", new BsonString("kill")).append("documents", documents)
				.append("$db", new BsonString("wire")));
			int before = mongo.getOpenCursors(0);
			BsonDocument find = client
				.command(new BsonDocument("find", new BsonString("kill")).append("batchSize", new BsonInt32(1))
					.append("$db", new BsonString("wire")));
			long cursorId = find.getDocument("cursor").getInt64("id").getValue();
			assertThat(cursorId).isNotZero();
			assertThat(mongo.getOpenCursors(0)).isEqualTo(before + 1);
			BsonDocument kill = client.command(new BsonDocument("killCursors", new BsonString("kill"))
				.append("cursors", new BsonArray(java.util.List.of(new BsonInt64(cursorId))))
				.append("$db", new BsonString("wire")));
			assertThat(kill.getArray("cursorsKilled")).containsExactly(new BsonInt64(cursorId));
			assertThat(mongo.getOpenCursors(0)).isEqualTo(before);
		}
	}

	@Test
	void serviceIdsAreDistinctObjectIds() {
		ObjectId first = mongo.getServiceId(0);
		ObjectId second = mongo.getServiceId(1);
		assertThat(first).isNotNull().isNotEqualTo(second);
	}

	@Nested
	@EmbeddedLoadBalancedMongoTest(fronts = 1, balancer = false, maxWireVersion = 25)
	class MaxWireVersion {

		@Test
		void maxWireVersionIsConfigurableAndAtLeast13(EmbeddedLoadBalancedMongo other) throws IOException {
			assertThatIllegalArgumentException()
				.isThrownBy(() -> EmbeddedLoadBalancedMongo.builder().maxWireVersion(12))
				.withMessageContaining("at least 13");
			try (WireClient client = new WireClient(other.getPort(0))) {
				assertThat(client.command(hello(false)).getInt32("maxWireVersion").getValue()).isEqualTo(25);
			}
		}

	}

}
