package io.mongolb.testcontainers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.mongolb.embedded.support.HaproxyProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HAProxy configuration the cluster ships, checked by the real {@code haproxy -c -f}:
 * the same text that {@code start()} copies into the HAProxy container. The mongos host
 * names do not resolve outside the cluster's Docker network, which the file's
 * {@code init-addr last,libc,none} allows. Without {@code haproxy} on the PATH the checks
 * are skipped with the reason (and fail under {@code CI=true}).
 */
class HaproxyConfigurationTests {

	@TempDir
	Path directory;

	@Test
	void theShippedConfigurationIsValidForHaproxy() throws Exception {
		Path haproxy = HaproxyProcess.requireHaproxy();
		String configuration = new LoadBalancedMongoCluster().getHaproxyConfiguration();
		System.out.println("The shipped haproxy.cfg:\n" + configuration);
		CheckResult check = check(haproxy, configuration);
		assertThat(check.exitCode()).as(check.output()).isZero();
		assertThat(check.output()).contains("Configuration file is valid");
		// The only warnings: the mongos names, which resolve on the cluster's network
		// only.
		assertThat(check.output().lines().filter((line) -> line.contains("[WARNING]")))
			.allSatisfy((line) -> assertThat(line).contains("could not resolve address 'mongos"))
			.hasSize(2);
	}

	@Test
	void withoutInitAddrAndResolversTheUnresolvableMongosNamesAreRejected() throws Exception {
		// Shows that the check above is a real one: the same file without init-addr and
		// the resolvers fails here, where mongos0 and mongos1 do not resolve.
		Path haproxy = HaproxyProcess.requireHaproxy();
		String configuration = new LoadBalancedMongoCluster().getHaproxyConfiguration()
			.replace("init-addr last,libc,none resolvers docker ", "");
		assertThat(configuration).doesNotContain("init-addr");
		CheckResult check = check(haproxy, configuration);
		assertThat(check.exitCode()).as(check.output()).isNotZero();
		assertThat(check.output()).contains("mongos0");
	}

	@Test
	void theConfigurationBalancesTcpWithProxyV2HealthChecksAndRedispatch() {
		String configuration = new LoadBalancedMongoCluster().getHaproxyConfiguration();
		assertThat(configuration.lines().map(String::strip)).contains("mode tcp", "option redispatch", "retries 3",
				"timeout connect 5s", "timeout client 30m", "timeout server 30m", "timeout check 2s",
				"balance roundrobin", "bind :27017", "nameserver dns 127.0.0.11:53",
				"default-server init-addr last,libc,none resolvers docker inter 1s fall 2 rise 1",
				"server mongos0 mongos0:27016 send-proxy-v2 check", "server mongos1 mongos1:27016 send-proxy-v2 check");
		assertThat(configuration).doesNotContain("send-proxy ").doesNotContain("mode http");
	}

	private CheckResult check(Path haproxy, String configuration) throws IOException, InterruptedException {
		Path file = this.directory.resolve("haproxy.cfg");
		Files.writeString(file, configuration, StandardCharsets.UTF_8);
		Process process = new ProcessBuilder(haproxy.toString(), "-c", "-f", file.toString()).redirectErrorStream(true)
			.start();
		assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("haproxy -c finished").isTrue();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		System.out.println("haproxy -c -f haproxy.cfg: exit " + process.exitValue() + "\n" + output);
		return new CheckResult(process.exitValue(), output);
	}

	private record CheckResult(int exitCode, String output) {
	}

}
