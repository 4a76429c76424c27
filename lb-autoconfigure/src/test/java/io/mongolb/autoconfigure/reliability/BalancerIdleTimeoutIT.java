package io.mongolb.autoconfigure.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import io.mongolb.embedded.support.HaproxyProcess;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 4: HAProxy's idle timeout ({@code timeout client 2s}, {@code timeout server
 * 2s}) is shorter than the pool's maximum idle time, with retryable reads and writes off
 * (as Firestore requires). Pooled connections idle past it are closed by HAProxy: without
 * a maximum idle time the next commands fail and clear the pool; with
 * {@code mongodb.load-balanced.balancer.idle-timeout=2s} (the starter sets
 * {@code maxConnectionIdleTime} to 1.6 s) none does. A cursor's {@code getMore} after a
 * pause longer than the balancer's timeout fails either way: the cursor pins a
 * checked-out connection, to which no idle time applies; only a balancer timeout above
 * the longest cursor pause avoids it.
 */
class BalancerIdleTimeoutIT {

	private static final int COMMANDS = 8;

	@TempDir
	Path directory;

	@Test
	@Timeout(60)
	void withoutAMaximumIdleTimeCommandsOnConnectionsTheBalancerClosedFail() throws Exception {
		Figures figures = idleLongerThanTheBalancer("unset");
		assertThat(figures.poolIdleMillis).isZero();
		assertThat(figures.failedAfterIdle).isPositive();
		assertThat(figures.poolClears).isPositive();
		assertThat(figures.getMoreFailed).isTrue();
	}

	@Test
	@Timeout(60)
	void withTheBalancerIdleTimeoutDeclaredNoPooledConnectionFailsButAPausedCursorStillDoes() throws Exception {
		Figures figures = idleLongerThanTheBalancer("idle-timeout-2s",
				"mongodb.load-balanced.balancer.idle-timeout=2s");
		assertThat(figures.poolIdleMillis).isEqualTo(1600);
		assertThat(figures.failedAfterIdle).isZero();
		// The one failure left is the paused cursor's getMore, and its pool clear.
		assertThat(figures.getMoreFailed).isTrue();
		assertThat(figures.driverFailedCommands).isOne();
		assertThat(figures.poolClears).isOne();
	}

	private Figures idleLongerThanTheBalancer(String name, String... properties) throws Exception {
		HaproxyProcess.requireHaproxy();
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).balancer(false).start();
				HaproxyProcess haproxy = HaproxyProcess.start(this.directory,
						List.of(mongo.getLoadBalancerPort(0), mongo.getLoadBalancerPort(1)), "send-proxy-v2",
						HaproxyProcess.Options.DEFAULTS.withRedispatch(3).withTimeouts("2s"));
				ConfigurableApplicationContext context = ReliabilityApplication
					.start(haproxy.connectionString() + "&retryWrites=false&retryReads=false", properties)) {
			ReliabilityApplication.DriverEvents driver = context.getBean(ReliabilityApplication.DriverEvents.class);
			MongoCollection<Document> items = context.getBean(MongoClient.class)
				.getDatabase("reliability")
				.getCollection("idle");
			for (int i = 0; i < 20; i++) {
				items.insertOne(new Document("_id", i));
			}
			// Four cursors at once: four pooled connections, over both mongos.
			List<MongoCursor<Document>> cursors = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				MongoCursor<Document> cursor = items.find().batchSize(1).iterator();
				cursor.next();
				cursors.add(cursor);
			}
			cursors.forEach(MongoCursor::close);
			// And one cursor that stays open, pinning its connection, across the pause.
			MongoCursor<Document> paused = items.find().batchSize(1).iterator();
			paused.next();
			int failedBefore = driver.failedCommands.get();
			int clearsBefore = driver.poolClearCount();
			long idleStart = System.nanoTime();
			// The pause: until HAProxy has closed every idle connection (2 s without
			// traffic), as the mongos see it.
			await().atMost(Duration.ofSeconds(15))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> mongo.getLoadBalancedConnections(0) + mongo.getLoadBalancedConnections(1) == 0);
			Duration idle = ReliabilityApplication.since(idleStart);
			int failedAfterIdle = 0;
			for (int i = 0; i < COMMANDS; i++) {
				try {
					items.find(new Document("_id", i)).first();
				}
				catch (MongoException ex) {
					failedAfterIdle++;
				}
			}
			boolean getMoreFailed = false;
			String getMoreError = null;
			try {
				paused.next();
			}
			catch (MongoException ex) {
				getMoreFailed = true;
				getMoreError = ex.getClass().getSimpleName() + ": " + ex.getMessage();
			}
			try {
				paused.close();
			}
			catch (MongoException ex) {
				// Its connection is gone already.
			}
			// The driver publishes pool events as they happen; a clear is counted by now.
			int failed = driver.failedCommands.get() - failedBefore;
			int clears = driver.poolClearCount() - clearsBefore;
			long poolIdle = driver.idleTimes.get(0);
			Map<String, ?> clearsByService = Map.copyOf(driver.poolClears);
			System.out.println("RELIABILITY idle-timeout-" + name + " balancerTimeout=2s poolMaxIdleMs=" + poolIdle
					+ " pauseMs=" + idle.toMillis() + " commandsAfterPause=" + COMMANDS + " failedAfterPause="
					+ failedAfterIdle + " getMoreAfterPauseFailed=" + getMoreFailed + " driverFailedCommands=" + failed
					+ " poolClears=" + clears + " clearsByService=" + clearsByService + " getMoreError=\""
					+ getMoreError + "\" failures=" + driver.failures);
			return new Figures(poolIdle, failedAfterIdle, getMoreFailed, failed, clears);
		}
	}

	record Figures(long poolIdleMillis, int failedAfterIdle, boolean getMoreFailed, int driverFailedCommands,
			int poolClears) {
	}

}
