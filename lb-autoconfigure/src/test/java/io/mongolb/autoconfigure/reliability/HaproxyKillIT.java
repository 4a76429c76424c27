package io.mongolb.autoconfigure.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import io.mongolb.embedded.support.HaproxyProcess;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 2: HAProxy is killed with SIGKILL under eight writers and started again on the
 * same port. No acknowledged write is lost, writes fail only about as long as the outage,
 * the same client (no application restart) writes again, and health goes UP, DOWN (no
 * connection can be opened to the balancer), UP.
 */
class HaproxyKillIT {

	private static final int WRITERS = 8;

	@TempDir
	Path directory;

	@Test
	@Timeout(60)
	void haproxyKilledAndRestartedLosesNoAcknowledgedWriteAndHealthGoesDownAndUp() throws Exception {
		HaproxyProcess.requireHaproxy();
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).balancer(false).start();
				HaproxyProcess haproxy = HaproxyProcess.start(this.directory,
						List.of(mongo.getLoadBalancerPort(0), mongo.getLoadBalancerPort(1)), "send-proxy-v2",
						HaproxyProcess.Options.DEFAULTS.withRedispatch(3));
				ConfigurableApplicationContext context = ReliabilityApplication.start(haproxy.connectionString())) {
			MongoCollection<Document> writes = context.getBean(MongoClient.class)
				.getDatabase("reliability")
				.getCollection("haproxyKill");
			String address = "127.0.0.1:" + haproxy.getPort();
			try (Writers writers = new Writers(writes, WRITERS, "haproxy");
					HealthPoller health = new HealthPoller(ReliabilityApplication.health(context))) {
				await().atMost(Duration.ofSeconds(20))
					.until(() -> writers.acknowledged() > 200 && health.current() == Status.UP);
				long pid = haproxy.pid();
				long killed = System.nanoTime();
				haproxy.kill();
				// The outage lasts until health has seen it and the writers have failed.
				await().atMost(Duration.ofSeconds(20))
					.until(() -> health.current() == Status.DOWN && writers.failed() > WRITERS);
				int acknowledgedDuringOutage = writers.acknowledged();
				haproxy.restart();
				Duration outage = ReliabilityApplication.since(killed);
				long restarted = System.nanoTime();
				await().atMost(Duration.ofSeconds(20))
					.until(() -> writers.acknowledged() > acknowledgedDuringOutage + 200);
				Duration recovery = ReliabilityApplication.since(restarted);
				await().atMost(Duration.ofSeconds(10)).until(() -> health.current() == Status.UP);
				writers.stop();
				health.stop();
				int lost = writers.lost();
				List<HealthPoller.Change> changes = health.changes();
				System.out.println("RELIABILITY haproxy-kill writers=" + WRITERS + " acknowledged="
						+ writers.acknowledged() + " lost=" + lost + " failedWrites=" + writers.failed() + " outageMs="
						+ outage.toMillis() + " errorWindowMs=" + writers.errorWindow().toMillis()
						+ " firstWriteAfterRestartMs=" + recovery.toMillis() + " slowestWriteMs="
						+ writers.slowest().toMillis() + " killedPid=" + pid + " restartedPid=" + haproxy.pid()
						+ " health=" + changes + " errors=" + writers.errors());
				assertThat(lost).isZero();
				assertThat(haproxy.pid()).isNotEqualTo(pid);
				// Writes failed while HAProxy was down, and for not much longer.
				assertThat(writers.errorWindow()).isPositive().isLessThan(outage.plusSeconds(1));
				assertThat(changes).extracting(HealthPoller.Change::status)
					.containsExactly(Status.UP, Status.DOWN, Status.UP);
				assertThat(changes.get(1).cause()).isIn(
						"No connection could be opened to " + address
								+ ": check the address and that the load balancer is listening.",
						"The connection through " + address
								+ " was dropped: the load balancer may have no healthy mongos behind it, or mongos"
								+ " rejected the connection (is the balancer sending a PROXY header to mongos's"
								+ " loadBalancerPort?).");
			}
		}
	}

}
