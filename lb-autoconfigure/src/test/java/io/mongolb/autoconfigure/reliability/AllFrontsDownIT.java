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

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 3: every mongos behind HAProxy stops, then starts again. Health goes DOWN with
 * a cause, then UP, and the same application writes again without a restart.
 */
class AllFrontsDownIT {

	@TempDir
	Path directory;

	@Test
	@Timeout(60)
	void allFrontsStoppedThenStartedTurnsHealthDownWithACauseThenUpWithoutARestart() throws Exception {
		HaproxyProcess.requireHaproxy();
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).balancer(false).start();
				HaproxyProcess haproxy = HaproxyProcess.start(this.directory,
						List.of(mongo.getLoadBalancerPort(0), mongo.getLoadBalancerPort(1)), "send-proxy-v2",
						HaproxyProcess.Options.DEFAULTS.withRedispatch(3));
				ConfigurableApplicationContext context = ReliabilityApplication.start(haproxy.connectionString())) {
			MongoCollection<Document> writes = context.getBean(MongoClient.class)
				.getDatabase("reliability")
				.getCollection("allFrontsDown");
			HealthIndicator indicator = ReliabilityApplication.health(context);
			writes.insertOne(new Document("_id", "before"));
			assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
			long stopped = System.nanoTime();
			mongo.stopFront(0);
			mongo.stopFront(1);
			Health[] down = new Health[1];
			await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
				down[0] = indicator.health();
				return down[0].getStatus() == Status.DOWN;
			});
			Duration toDown = ReliabilityApplication.since(stopped);
			String cause = String.valueOf(down[0].getDetails().get("cause"));
			// Health is DOWN as long as no mongos runs (HAProxy's checks mark both down).
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> indicator.health().getStatus() == Status.DOWN
						&& haproxy.log().contains("has no server available"));
			Health stillDown = indicator.health();
			long started = System.nanoTime();
			await().atMost(Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(IllegalStateException.class).until(() -> {
				if (!mongo.isFrontRunning(0)) {
					mongo.startFront(0);
				}
				if (!mongo.isFrontRunning(1)) {
					mongo.startFront(1);
				}
				return true;
			});
			await().atMost(Duration.ofSeconds(20))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> indicator.health().getStatus() == Status.UP);
			Duration toUp = ReliabilityApplication.since(started);
			writes.insertOne(new Document("_id", "after"));
			System.out.println("RELIABILITY all-fronts-down downAfterMs=" + toDown.toMillis() + " upAfterStartMs="
					+ toUp.toMillis() + " cause=\"" + cause + "\" laterCause=\"" + stillDown.getDetails().get("cause")
					+ "\" documents=" + writes.countDocuments());
			assertThat(cause).isNotEqualTo("null").contains("127.0.0.1:" + haproxy.getPort());
			assertThat(stillDown.getStatus()).isEqualTo(Status.DOWN);
			assertThat(stillDown.getDetails().get("cause")).asString()
				.startsWith("The connection through 127.0.0.1:" + haproxy.getPort() + " was dropped");
			assertThat(writes.countDocuments()).isEqualTo(2);
		}
	}

}
