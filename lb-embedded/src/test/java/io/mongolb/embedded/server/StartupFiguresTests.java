package io.mongolb.embedded.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.mongolb.embedded.support.WireClient;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures (and prints, without asserting on the numbers) the start-to-ready time of a
 * 2-front cluster with the balancer in a warm JVM, and the heap an idle cluster holds.
 * Ready means: a load-balanced hello through the balancer is answered with a serviceId.
 * Each run asserts that it was ready.
 */
class StartupFiguresTests {

	private static final int WARM_UPS = 3;

	private static final int RUNS = 10;

	@Test
	void startToReadyAndIdleHeap() throws IOException {
		List<Double> millis = new ArrayList<>();
		for (int i = 0; i < WARM_UPS + RUNS; i++) {
			long start = System.nanoTime();
			try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start()) {
				assertReady(mongo);
				long elapsed = System.nanoTime() - start;
				if (i >= WARM_UPS) {
					millis.add(elapsed / 1_000_000.0);
				}
			}
		}
		Collections.sort(millis);
		double median = (millis.get(RUNS / 2 - 1) + millis.get(RUNS / 2)) / 2;
		System.out.printf(
				"FIGURE start-to-ready (2 fronts + balancer, warm JVM, %d runs after %d warm-ups): "
						+ "median %.1f ms, min %.1f ms, max %.1f ms%n",
				RUNS, WARM_UPS, median, millis.get(0), millis.get(RUNS - 1));

		long before = usedHeapAfterGc();
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start()) {
			assertReady(mongo);
			long idle = usedHeapAfterGc();
			System.out.printf(
					"FIGURE heap used by an idle 2-front cluster with balancer: %.2f MiB "
							+ "(used heap after GC %.1f MiB -> %.1f MiB)%n",
					(idle - before) / 1048576.0, before / 1048576.0, idle / 1048576.0);
		}
		assertThat(millis).hasSize(RUNS);
	}

	private static void assertReady(EmbeddedLoadBalancedMongo mongo) throws IOException {
		try (WireClient client = new WireClient(mongo.getBalancerPort())) {
			BsonDocument reply = client
				.command(new BsonDocument("hello", new BsonInt32(1)).append("loadBalanced", BsonBoolean.TRUE)
					.append("$db", new BsonString("admin")));
			assertThat(mongo.getServiceIds()).contains(reply.getObjectId("serviceId").getValue());
		}
	}

	private static long usedHeapAfterGc() {
		Runtime runtime = Runtime.getRuntime();
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return runtime.totalMemory() - runtime.freeMemory();
	}

}
