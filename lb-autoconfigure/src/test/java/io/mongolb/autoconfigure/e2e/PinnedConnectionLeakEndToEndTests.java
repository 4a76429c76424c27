package io.mongolb.autoconfigure.e2e;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.micrometer.core.instrument.MeterRegistry;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.health.LoadBalancerHealthContributorAutoConfiguration;
import io.mongolb.autoconfigure.metrics.LoadBalancedMetricsAutoConfiguration;
import io.mongolb.autoconfigure.topology.LoadBalancedEvent;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.PinnedConnectionLeak;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.autoconfigure.registry.HealthContributorRegistryAutoConfiguration;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A cursor left open, through the real driver and the embedded balancer: the starter's
 * scheduler reports the connection it pins once, and its release when it is closed.
 */
@ExtendWith(OutputCaptureExtension.class)
class PinnedConnectionLeakEndToEndTests {

	private EmbeddedLoadBalancedMongo mongo;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
				LoadBalancedMetricsAutoConfiguration.class, LoadBalancerHealthContributorAutoConfiguration.class,
				HealthContributorAutoConfiguration.class, HealthContributorRegistryAutoConfiguration.class,
				MetricsAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class));

	@BeforeEach
	void start() {
		this.mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start();
	}

	@AfterEach
	void stop() {
		this.mongo.close();
	}

	@Test
	void aCursorLeftOpenIsReportedOnceAndItsReleaseWhenClosed(CapturedOutput output) {
		this.runner
			.withPropertyValues("spring.mongodb.uri=" + this.mongo.getConnectionString(),
					"mongodb.load-balanced.pinning.leak-threshold=200ms")
			.run((context) -> {
				LoadBalancedTopology topology = context.getBean(LoadBalancedTopology.class);
				List<LoadBalancedEvent> events = new CopyOnWriteArrayList<>();
				topology.addEventListener(events::add);
				MongoCollection<Document> items = context.getBean(MongoClient.class)
					.getDatabase("e2e")
					.getCollection("leaky");
				items.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
				MongoCursor<Document> cursor = items.find().batchSize(1).iterator();
				cursor.next();
				await().untilAsserted(() -> assertThat(topology.snapshot().pinnedConnectionLeaks()).hasSize(1));
				PinnedConnectionLeak leak = topology.snapshot().pinnedConnectionLeaks().get(0);
				assertThat(leak.commandName()).isEqualTo("find");
				assertThat(leak.database()).isEqualTo("e2e");
				assertThat(leak.collection()).isEqualTo("leaky");
				assertThat(this.mongo.getServiceIds()).contains(leak.serviceId());
				// Reading on keeps the same check-out: a scan now (as the scheduler's)
				// finds
				// nothing new to report.
				cursor.next();
				assertThat(topology.scanForPinnedConnectionLeaks()).isZero();
				assertThat(topology.snapshot().pinnedConnectionLeaks()).hasSize(1);
				assertThat(count(output.getOut(), "taken by find on e2e.leaky")).isOne();
				assertThat(output.getOut()).contains("WARN").contains("close the cursor");
				assertThat(events).filteredOn((event) -> event.type() == LoadBalancedEvent.Type.PINNED_CONNECTION_LEAK)
					.hasSize(1);
				// Health names it meanwhile.
				HealthIndicator health = (HealthIndicator) context.getBean(HealthContributorRegistry.class)
					.getContributor("mongodbLoadBalancer");
				assertThat(health.health().getDetails()).extractingByKey("pinnedConnectionLeaks")
					.asInstanceOf(InstanceOfAssertFactories.LIST)
					.singleElement()
					.asInstanceOf(InstanceOfAssertFactories.MAP)
					.containsEntry("serviceId", leak.serviceId().toHexString())
					.containsEntry("connectionId", leak.connectionId())
					.containsEntry("command", "find")
					.containsEntry("namespace", "e2e.leaky")
					.containsEntry("checkedOutAt", leak.checkedOutAt().toString())
					.containsKey("checkedOutFor");
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("mongodb.lb.pinned.leaks")
					.tag("service.id", leak.serviceId().toHexString())
					.functionCounter()
					.count()).isOne();
				cursor.close();
				await().untilAsserted(() -> assertThat(topology.snapshot().pinnedConnectionLeaks()).isEmpty());
				assertThat(health.health().getDetails()).doesNotContainKey("pinnedConnectionLeaks");
				assertThat(events)
					.filteredOn((event) -> event.type() == LoadBalancedEvent.Type.PINNED_CONNECTION_RELEASED)
					.singleElement()
					.satisfies((event) -> assertThat(event.description()).contains("reported as a possible leak")
						.containsPattern("(checked in|closed) after \\d+ms"));
				assertThat(output.getOut())
					.containsPattern("INFO.*reported as a possible leak, (checked in|closed) after");
			});
	}

	private static int count(String text, String fragment) {
		Matcher matcher = Pattern.compile(Pattern.quote(fragment)).matcher(text);
		int count = 0;
		while (matcher.find()) {
			count++;
		}
		return count;
	}

}
