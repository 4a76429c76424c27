package io.mongolb.testcontainers;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * The bounded waits of the start-up: the part that is not ready by the deadline is named,
 * with what it last answered.
 */
class ReadinessTests {

	@Test
	void returnsOnceThePartIsReady() {
		AtomicInteger asked = new AtomicInteger();
		new Readiness(Duration.ofSeconds(10)).await("the shard replica set 'shard0'", "a primary elected",
				() -> (asked.incrementAndGet() < 3) ? "not primary yet" : null);
		assertThat(asked).hasValue(3);
	}

	@Test
	void aPartNotReadyByTheDeadlineIsNamedWithItsLastAnswer() {
		assertThatIllegalStateException()
			.isThrownBy(() -> new Readiness(Duration.ofMillis(300)).await("the shard replica set 'shard0'",
					"a primary elected", () -> "not primary yet"))
			.withMessageStartingWith("The load-balanced MongoDB cluster did not come up: the shard replica set"
					+ " 'shard0' was not ready (a primary elected) within the start-up timeout of PT0.3S."
					+ " Last answer: not primary yet.")
			.withMessageContaining("withClusterStartupTimeout");
	}

	@Test
	void aProbeThatFailsIsReportedWithItsError() {
		assertThatIllegalStateException().isThrownBy(() -> new Readiness(Duration.ofMillis(200)).await("HAProxy",
				"routing connections to all 2 mongos (send-proxy-v2)", () -> {
					throw new java.io.IOException("Connection refused");
				}))
			.withMessageContaining("HAProxy was not ready (routing connections to all 2 mongos (send-proxy-v2))")
			.withMessageContaining("Last answer: IOException: Connection refused");
	}

	@Test
	void partsShareOneDeadline() {
		AtomicLong now = new AtomicLong();
		Readiness readiness = new Readiness(Duration.ofSeconds(60), now::get);
		readiness.await("the config server replica set 'configRs'", "a primary elected", () -> {
			now.addAndGet(Duration.ofSeconds(61).toNanos());
			return null;
		});
		assertThat(readiness.remaining()).isZero();
		AtomicInteger asked = new AtomicInteger();
		assertThatIllegalStateException()
			.isThrownBy(() -> readiness.await("mongos 'mongos1'", "answering hello as a mongos", () -> {
				asked.incrementAndGet();
				return "connection refused";
			}))
			.withMessageContaining("mongos 'mongos1' was not ready (answering hello as a mongos)");
		// Past the deadline a part gets one look, no wait.
		assertThat(asked).hasValue(1);
	}

}
