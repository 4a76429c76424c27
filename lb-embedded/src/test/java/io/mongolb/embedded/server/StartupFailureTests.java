package io.mongolb.embedded.server;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import io.mongolb.embedded.support.LoopbackPorts;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A port that cannot be bound fails the start with a message naming it, and leaves
 * nothing behind: no bound port, no event-loop thread.
 */
class StartupFailureTests {

	@Test
	void aFrontCannotBeStartedOnceTheClusterIsClosed() {
		EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(1).balancer(false).start();
		int port = mongo.getPort(0);
		mongo.stopFront(0);
		mongo.close();
		// Its I/O threads are gone: a front started now would listen for ever, never
		// closed.
		assertThatIllegalStateException().isThrownBy(() -> mongo.startFront(0))
			.withMessage("Cannot start front 0: the cluster is not running");
		assertThat(LoopbackPorts.accepts(port)).isFalse();
	}

	@Test
	void takenBalancerPortFailsTheStartNamesThePortAndReleasesEverything() throws IOException {
		Set<Thread> threadsBefore = Thread.getAllStackTraces().keySet();
		try (ServerSocket taken = occupy(0)) {
			EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder()
				.fronts(2)
				.balancerPort(taken.getLocalPort())
				.build();
			assertThatThrownBy(mongo::start).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("balancer")
				.hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
				.hasCauseInstanceOf(BindException.class);
			assertThat(mongo.isRunning()).isFalse();
			assertThat(mongo.getFrontCount()).isEqualTo(2);
			for (int front = 0; front < 2; front++) {
				assertThat(mongo.isFrontRunning(front)).isFalse();
				assertThat(LoopbackPorts.accepts(mongo.getPort(front))).as("normal port of front %d", front).isFalse();
				assertThat(LoopbackPorts.accepts(mongo.getLoadBalancerPort(front)))
					.as("load-balancer port of front %d", front)
					.isFalse();
			}
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(newEmbeddedThreads(threadsBefore)).isEmpty());
		}
	}

	@Test
	void takenLoadBalancerPortOnRestartFailsThatFrontAndReleasesItsNormalPort() throws IOException {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(1).balancer(false).start()) {
			int port = mongo.getPort(0);
			int loadBalancerPort = mongo.getLoadBalancerPort(0);
			mongo.stopFront(0);
			ObjectId stopped = mongo.getServiceId(0);
			try (ServerSocket taken = occupy(loadBalancerPort)) {
				assertThatThrownBy(() -> mongo.startFront(0)).isInstanceOf(IllegalStateException.class)
					.hasMessageContaining("Front 0")
					.hasMessageContaining("load-balancer port 127.0.0.1:" + loadBalancerPort)
					.hasCauseInstanceOf(BindException.class);
				assertThat(mongo.isFrontRunning(0)).isFalse();
				assertThat(LoopbackPorts.accepts(port)).as("normal port after the failed start").isFalse();
				assertThat(mongo.getServiceId(0)).as("serviceId after the failed start").isEqualTo(stopped);
			}
			// Once the port is free again, the front starts on its ports, with a new
			// serviceId.
			mongo.startFront(0);
			assertThat(mongo.isFrontRunning(0)).isTrue();
			assertThat(mongo.getServiceId(0)).isNotEqualTo(stopped);
			assertThat(mongo.getPort(0)).isEqualTo(port);
			assertThat(LoopbackPorts.accepts(loadBalancerPort)).isTrue();
		}
	}

	@Test
	void takenNormalPortOnRestartNamesTheNormalPort() throws IOException {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).balancer(false).start()) {
			int port = mongo.getPort(1);
			mongo.stopFront(1);
			ObjectId stopped = mongo.getServiceId(1);
			try (ServerSocket taken = occupy(port)) {
				assertThatThrownBy(() -> mongo.startFront(1)).isInstanceOf(IllegalStateException.class)
					.hasMessageContaining("Front 1")
					.hasMessageContaining("normal port 127.0.0.1:" + port);
				assertThat(mongo.isFrontRunning(1)).isFalse();
				assertThat(mongo.isFrontRunning(0)).isTrue();
				assertThat(mongo.getServiceId(1)).as("serviceId after the failed start").isEqualTo(stopped);
			}
		}
	}

	private static ServerSocket occupy(int port) throws IOException {
		return new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"));
	}

	private static List<String> newEmbeddedThreads(Set<Thread> before) {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> !before.contains(thread) && thread.isAlive() && thread.getName().startsWith("mongolb-"))
			.map(Thread::getName)
			.toList();
	}

}
