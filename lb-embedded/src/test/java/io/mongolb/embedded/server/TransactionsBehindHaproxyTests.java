package io.mongolb.embedded.server;

import java.nio.file.Path;
import java.util.List;

import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest.Lifecycle;
import io.mongolb.embedded.support.HaproxyProcess;
import io.mongolb.embedded.support.TransactionScenario;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The transaction scenarios behind a real HAProxy ({@code send-proxy-v2}), as mongos is
 * deployed: pinned to one connection through the proxy, and aborted when the front's
 * connection from HAProxy closes. Skipped with a reason when haproxy is not installed,
 * failed under {@code CI=true}.
 */
@ExtendWith(OutputCaptureExtension.class)
@EmbeddedLoadBalancedMongoTest(fronts = 2, balancer = false, lifecycle = Lifecycle.PER_METHOD)
class TransactionsBehindHaproxyTests {

	@TempDir
	Path directory;

	private HaproxyProcess haproxy(EmbeddedLoadBalancedMongo mongo) {
		HaproxyProcess.requireHaproxy();
		return HaproxyProcess.start(this.directory, List.of(mongo.getLoadBalancerPort(0), mongo.getLoadBalancerPort(1)),
				"send-proxy-v2");
	}

	@Test
	void pinnedTransactionReadsItsOwnWritesInvisiblyAndCommits(EmbeddedLoadBalancedMongo mongo) {
		try (HaproxyProcess haproxy = haproxy(mongo)) {
			TransactionScenario.commitScenario(haproxy.connectionString(), "txnHaproxyCommit");
		}
	}

	@Test
	void disconnectInTheMiddleAbortsTheTransaction(EmbeddedLoadBalancedMongo mongo, CapturedOutput output) {
		try (HaproxyProcess haproxy = haproxy(mongo)) {
			TransactionScenario.disconnectScenario(haproxy.connectionString(),
					List.of(mongo.getFrontConnectionString(0), mongo.getFrontConnectionString(1)),
					"txnHaproxyDisconnect");
		}
		assertThat(output).contains("aborting in-progress transactions of a disconnected load-balanced client");
	}

}
