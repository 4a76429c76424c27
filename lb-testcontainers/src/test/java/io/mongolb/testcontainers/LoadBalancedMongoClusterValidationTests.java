package io.mongolb.testcontainers;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.testcontainers.utility.DockerImageName;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The public API's validation and defaults, on clusters that are not started (no Docker
 * needed).
 */
class LoadBalancedMongoClusterValidationTests {

	@Test
	void defaults() {
		try (LoadBalancedMongoCluster cluster = new LoadBalancedMongoCluster()) {
			assertThat(cluster.getMongoImage().asCanonicalNameString()).isEqualTo("mongo:8.0");
			assertThat(cluster.getHaproxyImage().asCanonicalNameString()).isEqualTo("haproxy:3.2");
			assertThat(cluster.getMongosCount()).isEqualTo(2);
			assertThat(cluster.getClusterStartupTimeout()).isEqualTo(Duration.ofMinutes(3));
			assertThat(cluster.getExposedPorts()).containsExactly(27017);
			assertThat(cluster.getNetworkAliases()).contains("haproxy");
		}
	}

	@Test
	void mongosCountMustBeFromOneToSixteen() {
		LoadBalancedMongoCluster cluster = new LoadBalancedMongoCluster();
		assertThatIllegalArgumentException().isThrownBy(() -> cluster.withMongosCount(0))
			.withMessage("mongosCount must be from 1 to 16, was 0: a load-balanced cluster needs at least one mongos"
					+ " behind HAProxy (the default is 2)");
		assertThatIllegalArgumentException().isThrownBy(() -> cluster.withMongosCount(17))
			.withMessageStartingWith("mongosCount must be from 1 to 16, was 17");
		assertThat(cluster.withMongosCount(1).getMongosCount()).isOne();
		assertThat(cluster.withMongosCount(16).getMongosCount()).isEqualTo(16);
	}

	@Test
	void imagesMustBeMongoAndHaproxyImages() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new LoadBalancedMongoCluster().withMongoImage("postgres:16"))
			.withMessage("The MongoDB image 'postgres:16' is not a mongo image (for example mongo:8.0). If it is one"
					+ " under another name, declare it: DockerImageName.parse(\"postgres:16\")"
					+ ".asCompatibleSubstituteFor(\"mongo\")");
		assertThatIllegalArgumentException().isThrownBy(() -> new LoadBalancedMongoCluster("nginx:1.27"))
			.withMessageStartingWith("The HAProxy image 'nginx:1.27' is not a haproxy image (for example haproxy:3.2)");
		assertThatIllegalArgumentException().isThrownBy(() -> new LoadBalancedMongoCluster().withMongoImage(" "))
			.withMessage("The MongoDB image must be named, was ' ' (for example mongo:8.0)");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new LoadBalancedMongoCluster().withMongoImage("mongo:8.0 with spaces"))
			.withMessageStartingWith("The MongoDB image 'mongo:8.0 with spaces' is not a valid Docker image name");
		assertThatIllegalArgumentException().isThrownBy(() -> new LoadBalancedMongoCluster((DockerImageName) null))
			.withMessage("The HAProxy image must not be null (for example haproxy:3.2)");
	}

	@Test
	void compatibleSubstitutesAndOtherTagsAreAccepted() {
		DockerImageName mirrored = DockerImageName.parse("registry.example.net/mirror/mongo:8.2")
			.asCompatibleSubstituteFor("mongo");
		try (LoadBalancedMongoCluster cluster = new LoadBalancedMongoCluster("haproxy:2.8").withMongoImage(mirrored)) {
			assertThat(cluster.getMongoImage()).isEqualTo(mirrored);
			assertThat(cluster.getHaproxyImage().asCanonicalNameString()).isEqualTo("haproxy:2.8");
		}
		assertThat(new LoadBalancedMongoCluster().withMongoImage("mongo:8.2").getMongoImage().getVersionPart())
			.isEqualTo("8.2");
	}

	@Test
	void startupTimeoutMustBePositive() {
		LoadBalancedMongoCluster cluster = new LoadBalancedMongoCluster();
		assertThatIllegalArgumentException().isThrownBy(() -> cluster.withClusterStartupTimeout(Duration.ZERO))
			.withMessage("clusterStartupTimeout must be positive, was PT0S (the default is PT3M)");
		assertThatIllegalArgumentException().isThrownBy(() -> cluster.withClusterStartupTimeout(null))
			.withMessageStartingWith("clusterStartupTimeout must be positive, was null");
		assertThat(cluster.withClusterStartupTimeout(Duration.ofMinutes(5)).getClusterStartupTimeout())
			.isEqualTo(Duration.ofMinutes(5));
	}

	@Test
	void addressesNeedAStartedCluster() {
		LoadBalancedMongoCluster cluster = new LoadBalancedMongoCluster();
		assertThatIllegalStateException().isThrownBy(cluster::getConnectionString)
			.withMessage("The load-balanced MongoDB cluster is not started (HAProxy has no mapped port): start it"
					+ " first, or let @Testcontainers or @ServiceConnection start it");
		assertThatIllegalStateException().isThrownBy(() -> cluster.getMongosAddress(0))
			.withMessage("mongos 0 is not running: start the cluster, or restart it with restartMongos(0)");
		assertThat(cluster.getMongosAddresses()).isEmpty();
		assertThat(cluster.isMongosRunning(1)).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> cluster.stopMongos(1))
			.withMessage("mongos 1 is not running, so it cannot be stopped");
		assertThatIllegalStateException().isThrownBy(() -> cluster.restartMongos(1))
			.withMessage("The cluster is not started: start it before restartMongos(1)");
		assertThat(cluster.getServiceIdsSeen()).isEmpty();
	}

	@Test
	void mongosIndexesAreChecked() {
		LoadBalancedMongoCluster cluster = new LoadBalancedMongoCluster().withMongosCount(3);
		assertThatThrownBy(() -> cluster.getMongosAddress(3)).isInstanceOf(IndexOutOfBoundsException.class)
			.hasMessage("mongos index 3 is out of range: this cluster has 3 mongos, numbered from 0 to 2");
		assertThatThrownBy(() -> cluster.stopMongos(-1)).isInstanceOf(IndexOutOfBoundsException.class)
			.hasMessageStartingWith("mongos index -1 is out of range");
	}

	@Test
	void databaseNamesAreChecked() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new LoadBalancedMongoCluster().getConnectionString("orders?x=1"))
			.withMessage("database must be a MongoDB database name (not blank, without '/' or '?'), was 'orders?x=1'");
	}

	@Test
	void theHaproxyConfigurationFollowsTheMongosCount() {
		String configuration = new LoadBalancedMongoCluster().withMongosCount(3).getHaproxyConfiguration();
		assertThat(configuration.lines().filter((line) -> line.strip().startsWith("server "))).containsExactly(
				"    server mongos0 mongos0:27016 send-proxy-v2 check",
				"    server mongos1 mongos1:27016 send-proxy-v2 check",
				"    server mongos2 mongos2:27016 send-proxy-v2 check");
	}

}
