package io.mongolb.autoconfigure.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceSnapshot;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import io.mongolb.embedded.support.HaproxyProcess;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 1: one of two mongos (embedded fronts) is killed under eight writers and
 * started again, behind a real HAProxy, with the starter in a running application.
 * Acknowledged writes are never lost, only the killed service's connections are cleared,
 * the restarted mongos's new serviceId is seen, and (with redispatch) health stays UP.
 * Run with {@code option redispatch} and {@code retries 3} (the README's configuration)
 * and without, to show what redispatch saves.
 */
class FrontKillIT {

	private static final int WRITERS = 8;

	@TempDir
	Path directory;

	@Test
	@Timeout(60)
	void withRedispatchAFrontKilledUnderLoadLosesNoWriteAndHealthStaysUp() throws Exception {
		Figures figures = killAndRestartAFront(HaproxyProcess.Options.DEFAULTS.withRedispatch(3), "redispatch");
		assertThat(figures.errorWindow).isLessThan(Duration.ofSeconds(1));
		assertThat(figures.health).extracting(HealthPoller.Change::status).containsOnly(Status.UP);
	}

	@Test
	@Timeout(60)
	void withoutRedispatchAFrontKilledUnderLoadLosesNoWriteButANewConnectionMayStall() throws Exception {
		Figures figures = killAndRestartAFront(HaproxyProcess.Options.DEFAULTS, "no-redispatch");
		// Without redispatch HAProxy retries a new connection on the stopped mongos (one
		// second apart) until its check marks it down: a write or a health ping that
		// needs a new connection then stalls about 2 s, and the ping may time out. Health
		// is DOWN only for that reason, if at all.
		assertThat(figures.health).filteredOn((change) -> change.status() != Status.UP)
			.allSatisfy((change) -> assertThat(change.cause()).startsWith("No answer to ping through"));
	}

	private Figures killAndRestartAFront(HaproxyProcess.Options options, String name) throws Exception {
		HaproxyProcess.requireHaproxy();
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).balancer(false).start();
				HaproxyProcess haproxy = HaproxyProcess.start(this.directory,
						List.of(mongo.getLoadBalancerPort(0), mongo.getLoadBalancerPort(1)), "send-proxy-v2", options);
				ConfigurableApplicationContext context = ReliabilityApplication.start(haproxy.connectionString())) {
			LoadBalancedTopology topology = context.getBean(LoadBalancedTopology.class);
			MongoCollection<Document> writes = context.getBean(MongoClient.class)
				.getDatabase("reliability")
				.getCollection("frontKill");
			ObjectId killed = mongo.getServiceId(0);
			ObjectId survivor = mongo.getServiceId(1);
			try (Writers writers = new Writers(writes, WRITERS, name);
					HealthPoller health = new HealthPoller(ReliabilityApplication.health(context))) {
				// Eight writers at once open connections to both mongos.
				await().atMost(Duration.ofSeconds(20))
					.until(() -> writers.acknowledged() > 200 && serviceIds(topology).contains(killed.toHexString())
							&& serviceIds(topology).contains(survivor.toHexString()));
				int pollsAtKill = health.polls();
				mongo.stopFront(0);
				long stopped = System.nanoTime();
				int before = writers.acknowledged();
				// Writes go on for a second with one mongos down.
				await().atMost(Duration.ofSeconds(20))
					.until(() -> ReliabilityApplication.since(stopped).toMillis() >= 1000
							&& writers.acknowledged() > before + 100);
				// The port was the front's a moment ago; another socket may hold it as an
				// ephemeral source port for a moment: retry the bind (bounded).
				await().atMost(Duration.ofSeconds(10))
					.ignoreExceptionsInstanceOf(IllegalStateException.class)
					.until(() -> {
						mongo.startFront(0);
						return true;
					});
				ObjectId restarted = mongo.getServiceId(0);
				assertThat(restarted).isNotEqualTo(killed);
				// Pooled connections stay where they are; cursors pin connections, so the
				// pool opens new ones and HAProxy places some on the restarted mongos
				// once
				// its health check passes.
				List<MongoCursor<Document>> cursors = new ArrayList<>();
				try {
					await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> {
						if (cursors.size() < 40) {
							MongoCursor<Document> cursor = writes.find().batchSize(1).iterator();
							cursor.next();
							cursors.add(cursor);
						}
						return serviceIds(topology).contains(restarted.toHexString());
					});
				}
				finally {
					cursors.forEach(MongoCursor::close);
				}
				int after = writers.acknowledged();
				await().atMost(Duration.ofSeconds(10)).until(() -> writers.acknowledged() > after + 100);
				// Health is asked while the mongos is down and after it is back (a ping
				// may
				// wait up to health.timeout).
				await().atMost(Duration.ofSeconds(10)).until(() -> health.polls() >= pollsAtKill + 3);
				writers.stop();
				health.stop();

				Figures figures = new Figures(writers.acknowledged(), writers.lost(), writers.failed(),
						writers.errorWindow(), writers.slowest(), health.changes());
				Map<String, Long> clears = topology.snapshot()
					.services()
					.stream()
					.filter((service) -> service.poolClears() > 0)
					.collect(Collectors.toMap((service) -> service.serviceId().toHexString(),
							ServiceSnapshot::poolClears));
				ReliabilityApplication.DriverEvents driver = context.getBean(ReliabilityApplication.DriverEvents.class);
				System.out.println("RELIABILITY front-kill-" + name + " writers=" + WRITERS + " acknowledged="
						+ figures.acknowledged + " lost=" + figures.lost + " failedWrites=" + figures.failed
						+ " errorWindowMs=" + figures.errorWindow.toMillis() + " slowestWriteMs="
						+ figures.slowest.toMillis() + " poolClears=" + clears + " killedServiceId="
						+ killed.toHexString() + " newServiceIdSeen="
						+ serviceIds(topology).contains(restarted.toHexString()) + " healthPolls=" + health.polls()
						+ " health=" + health.changes() + " errors=" + writers.errors());
				assertThat(figures.lost).isZero();
				assertThat(clears.keySet()).containsExactly(killed.toHexString());
				assertThat(driver.poolClears.keySet()).containsExactly(killed.toHexString());
				assertThat(health.polls()).isGreaterThanOrEqualTo(pollsAtKill + 3);
				return figures;
			}
		}
	}

	static List<String> serviceIds(LoadBalancedTopology topology) {
		return topology.snapshot().services().stream().map((service) -> service.serviceId().toHexString()).toList();
	}

	record Figures(int acknowledged, int lost, int failed, Duration errorWindow, Duration slowest,
			List<HealthPoller.Change> health) {
	}

}
