package io.mongolb.embedded.server;

import java.nio.file.Path;
import java.util.List;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.mongolb.embedded.support.HaproxyProcess;
import io.mongolb.embedded.support.LoadBalancedScenario;
import io.mongolb.embedded.support.Messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The fronts behind a real HAProxy (PROXY v2 and v1), as mongos is deployed. Skipped with a reason when haproxy is
 * not installed, failed under {@code CI=true}.
 */
class RealHaproxyTests {

	@TempDir
	Path directory;

	@ParameterizedTest
	@ValueSource(strings = { "send-proxy-v2", "send-proxy" })
	void loadBalancedDriverWorksBehindHaproxy(String sendProxy) {
		HaproxyProcess.requireHaproxy();
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).balancer(false).start();
				HaproxyProcess haproxy = HaproxyProcess.start(this.directory,
						List.of(mongo.getLoadBalancerPort(0), mongo.getLoadBalancerPort(1)), sendProxy)) {
			LoadBalancedScenario.run(haproxy.connectionString(), mongo.getServiceIds());
		}
	}

	@Test
	void ordinaryClientBehindHaproxyGets354() {
		HaproxyProcess.requireHaproxy();
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).balancer(false).start();
				HaproxyProcess haproxy = HaproxyProcess.start(this.directory,
						List.of(mongo.getLoadBalancerPort(0), mongo.getLoadBalancerPort(1)), "send-proxy-v2");
				MongoClient client = MongoClients
					.create("mongodb://127.0.0.1:" + haproxy.getPort() + "/?serverSelectionTimeoutMS=2000")) {
			assertThatThrownBy(() -> client.getDatabase("admin").runCommand(new Document("ping", 1)))
				.satisfies((ex) -> assertThat(Messages.chain(ex)).contains("354")
					.contains("LoadBalancerSupportMismatch"));
		}
	}

}
