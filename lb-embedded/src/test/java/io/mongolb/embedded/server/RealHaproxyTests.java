package io.mongolb.embedded.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest.Lifecycle;
import io.mongolb.embedded.support.HaproxyProcess;
import io.mongolb.embedded.support.LoadBalancedScenario;
import io.mongolb.embedded.support.Messages;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The fronts behind a real HAProxy (PROXY v2 and v1), as mongos is deployed. Skipped with
 * a reason when haproxy is not installed, failed under {@code CI=true}. A cluster per
 * test, so that each counts only its own HAProxy's headers.
 */
@ExtendWith(OutputCaptureExtension.class)
@EmbeddedLoadBalancedMongoTest(fronts = 2, balancer = false, lifecycle = Lifecycle.PER_METHOD)
class RealHaproxyTests {

	@TempDir
	Path directory;

	@ParameterizedTest
	@ValueSource(strings = { "send-proxy-v2", "send-proxy" })
	void loadBalancedDriverWorksBehindHaproxy(String sendProxy, CapturedOutput output,
			EmbeddedLoadBalancedMongo mongo) {
		HaproxyProcess.requireHaproxy();
		try (HaproxyProcess haproxy = HaproxyProcess.start(this.directory,
				List.of(mongo.getLoadBalancerPort(0), mongo.getLoadBalancerPort(1)), sendProxy)) {
			boolean v2 = sendProxy.equals("send-proxy-v2");
			// HAProxy's health checks (check inter 200ms) reach every front: with
			// send-proxy-v2 as LOCAL headers.
			await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
				for (int front = 0; front < 2; front++) {
					ProxyHeaderCounts received = mongo.getProxyHeaderCounts(front);
					assertThat(v2 ? received.v2Local() : received.v1()).as("%s checks on front %d", sendProxy, front)
						.isGreaterThanOrEqualTo(2);
				}
			});
			LoadBalancedScenario.run(haproxy.connectionString(), mongo.getServiceIds());
			for (int front = 0; front < 2; front++) {
				ProxyHeaderCounts received = mongo.getProxyHeaderCounts(front);
				if (v2) {
					assertThat(received.v2()).as("relayed connections on front %d", front).isPositive();
					assertThat(received.v1()).isZero();
				}
				else {
					assertThat(received.v2() + received.v2Local()).isZero();
				}
			}
		}
		// Health-check connections open, send a header and close without a hello: no
		// warning, no error.
		assertThat(output.getOut().lines().filter((line) -> line.contains(" WARN ") || line.contains(" ERROR ")))
			.as("warnings and errors logged")
			.isEmpty();
	}

	@Test
	void ordinaryClientBehindHaproxyGets354(EmbeddedLoadBalancedMongo mongo) {
		HaproxyProcess.requireHaproxy();
		try (HaproxyProcess haproxy = HaproxyProcess.start(this.directory,
				List.of(mongo.getLoadBalancerPort(0), mongo.getLoadBalancerPort(1)), "send-proxy-v2");
				MongoClient client = MongoClients
					.create("mongodb://127.0.0.1:" + haproxy.getPort() + "/?serverSelectionTimeoutMS=2000")) {
			assertThatThrownBy(() -> client.getDatabase("admin").runCommand(new Document("ping", 1))).satisfies(
					(ex) -> assertThat(Messages.chain(ex)).contains("354").contains("LoadBalancerSupportMismatch"));
		}
	}

}
