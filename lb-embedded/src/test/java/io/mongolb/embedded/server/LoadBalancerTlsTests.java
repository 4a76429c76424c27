package io.mongolb.embedded.server;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import io.mongolb.embedded.proxy.ProxyProtocolVersion;
import io.mongolb.embedded.support.HaproxyProcess;
import io.mongolb.embedded.support.LoadBalancedScenario;
import io.mongolb.embedded.support.Messages;
import io.mongolb.embedded.support.RecordingListener;
import io.mongolb.embedded.support.TestCertificates;
import io.netty.handler.ssl.SslContextBuilder;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * TLS on the load-balancer ports, through the real driver with
 * {@code tls=true&loadBalanced=true}: the PROXY header in clear, then TLS, behind the
 * in-process balancer and behind a real HAProxy in {@code mode tcp} passthrough. The
 * client trusts the test certificate (made once with keytool, for 127.0.0.1).
 */
@ExtendWith(OutputCaptureExtension.class)
class LoadBalancerTlsTests {

	private static final Consumer<MongoClientSettings.Builder> TRUST_TEST_CERTIFICATE = (settings) -> settings
		.applyToSslSettings((ssl) -> ssl.enabled(true).context(TestCertificates.clientContext()));

	@TempDir
	Path directory;

	@ParameterizedTest
	@EnumSource(ProxyProtocolVersion.class)
	void loadBalancedDriverWithTlsWorksThroughTheInProcessBalancer(ProxyProtocolVersion version,
			CapturedOutput output) {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(2)
			.proxyProtocol(version)
			.tls(TestCertificates.serverContext())
			.start()) {
			assertThat(mongo.isTls()).isTrue();
			assertThat(mongo.getConnectionString()).endsWith("/test?loadBalanced=true&tls=true");
			LoadBalancedScenario.run(mongo.getConnectionString(), mongo.getServiceIds(), TRUST_TEST_CERTIFICATE);
			ProxyHeaderCounts received = mongo.getProxyHeaderCounts(0);
			assertThat((version == ProxyProtocolVersion.V1) ? received.v1() : received.v2()).isPositive();
		}
		assertThat(output.getOut()).contains("TLS after the PROXY header on the load-balancer port");
		assertThat(output.getOut().lines().filter((line) -> line.contains(" WARN ") || line.contains(" ERROR ")))
			.as("warnings and errors logged")
			.isEmpty();
	}

	@Test
	void loadBalancedDriverWithTlsWorksBehindHaproxyInPassthroughMode(CapturedOutput output) {
		HaproxyProcess.requireHaproxy();
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(2)
			.balancer(false)
			.tls(TestCertificates.serverContext())
			.start();
				HaproxyProcess haproxy = HaproxyProcess.start(this.directory,
						List.of(mongo.getLoadBalancerPort(0), mongo.getLoadBalancerPort(1)), "send-proxy-v2")) {
			LoadBalancedScenario.run(haproxy.connectionString() + "&tls=true", mongo.getServiceIds(),
					TRUST_TEST_CERTIFICATE);
			// HAProxy wrote PROXY v2 headers, relayed the TLS bytes untouched.
			assertThat(mongo.getProxyHeaderCounts(0).v2() + mongo.getProxyHeaderCounts(1).v2()).isPositive();
		}
		// HAProxy's health checks (a LOCAL header, then close) pass the TLS port quietly.
		assertThat(output.getOut().lines().filter((line) -> line.contains(" WARN ") || line.contains(" ERROR ")))
			.as("warnings and errors logged")
			.isEmpty();
	}

	@Test
	void plainTextClientAgainstTheTlsPortFailsClearly(CapturedOutput output) {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(1)
			.tls(TestCertificates.serverContext())
			.start();
				MongoClient client = LoadBalancedScenario.client(mongo.getConnectionString().replace("&tls=true", ""),
						new RecordingListener())) {
			assertThatThrownBy(() -> client.getDatabase("admin").runCommand(new Document("ping", 1)))
				.satisfies((ex) -> assertThat(Messages.chain(ex)).contains("MongoSocket"));
			await()
				.untilAsserted(() -> assertThat(output.getOut()).contains("Front 0 load-balancer port, connection from")
					.contains("the bytes after the PROXY header are not TLS, but this port requires TLS: "
							+ "connect with tls=true"));
		}
	}

	@Test
	void clientThatDoesNotTrustTheCertificateFailsTheHandshake(CapturedOutput output) {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(1)
			.tls(TestCertificates.serverContext())
			.start();
				MongoClient client = LoadBalancedScenario.client(mongo.getConnectionString(),
						new RecordingListener())) {
			// The JDK's default trust store does not know the self-signed test
			// certificate.
			assertThatThrownBy(() -> client.getDatabase("admin").runCommand(new Document("ping", 1)))
				.satisfies((ex) -> assertThat(Messages.chain(ex)).contains("SSLHandshakeException")
					.contains("PKIX path building failed"));
			await()
				.untilAsserted(() -> assertThat(output.getOut()).contains("Front 0 load-balancer port, connection from")
					.contains("TLS failed"));
		}
	}

	@Test
	void nettyServerContextWorksAndClientContextIsRefused() throws Exception {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(1)
			.tls(SslContextBuilder.forServer(TestCertificates.serverKeyManagers()).build())
			.start();
				MongoClient client = LoadBalancedScenario.client(mongo.getConnectionString(), new RecordingListener(),
						TRUST_TEST_CERTIFICATE)) {
			client.getDatabase("tls").getCollection("items").insertOne(new Document("_id", 1));
			assertThat(client.getDatabase("tls").getCollection("items").countDocuments()).isOne();
		}
		io.netty.handler.ssl.SslContext clientSide = SslContextBuilder.forClient().build();
		assertThatIllegalArgumentException().isThrownBy(() -> EmbeddedLoadBalancedMongo.builder().tls(clientSide))
			.withMessage("tls must be a server-side SslContext (SslContextBuilder.forServer(...)), was a "
					+ "client-side one");
	}

	@Test
	void additionalBalancerOverTlsFrontsSaysTlsInItsConnectionString() {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
			.fronts(2)
			.tls(TestCertificates.serverContext())
			.addBalancer(1)
			.start()) {
			String single = mongo.getBalancers().get(0).getConnectionString();
			assertThat(single).endsWith("/test?loadBalanced=true&tls=true");
			try (MongoClient client = LoadBalancedScenario.client(single, new RecordingListener(),
					TRUST_TEST_CERTIFICATE)) {
				client.getDatabase("tls").getCollection("single").insertOne(new Document("_id", 1));
				assertThat(client.getDatabase("tls").getCollection("single").countDocuments()).isOne();
			}
		}
	}

	@Test
	void tlsIsOffByDefault() {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(1).start()) {
			assertThat(mongo.isTls()).isFalse();
			assertThat(mongo.getConnectionString()).doesNotContain("tls");
			LoadBalancedScenario.run(mongo.getConnectionString(), mongo.getServiceIds());
		}
	}

}
