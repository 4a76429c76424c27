package io.mongolb.embedded.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * A real HAProxy started as a child process in front of the embedded fronts'
 * load-balancer ports.
 * <p>
 * When {@code haproxy} is not on the PATH the calling test is skipped with the reason,
 * unless the environment variable {@code CI} is {@code true}: there its absence is a
 * failure (CI installs it).
 */
public final class HaproxyProcess implements AutoCloseable {

	private final Process process;

	private final int port;

	private final Path log;

	private final Thread killOnExit;

	private HaproxyProcess(Process process, int port, Path log) {
		this.process = process;
		this.port = port;
		this.log = log;
		// Should the test JVM die before close(), HAProxy must not outlive it.
		this.killOnExit = new Thread(process::destroyForcibly, "haproxy-kill-on-exit");
		Runtime.getRuntime().addShutdownHook(this.killOnExit);
	}

	/**
	 * Returns the haproxy executable, skipping (or, under CI=true, failing) the test when
	 * there is none.
	 */
	public static Path requireHaproxy() {
		String path = System.getenv("PATH");
		if (path != null) {
			for (String directory : path.split(File.pathSeparator)) {
				Path candidate = Path.of(directory, "haproxy");
				if (Files.isExecutable(candidate)) {
					return candidate;
				}
			}
		}
		String reason = "haproxy is not on the PATH (install it, e.g. apt-get install haproxy; .ci/run does)";
		// Required under CI=true (the project's CI installs HAProxy), or wherever
		// MONGOLB_REQUIRE_HAPROXY=true; MONGOLB_REQUIRE_HAPROXY=false lets a CI without
		// HAProxy skip these tests instead.
		String required = System.getenv("MONGOLB_REQUIRE_HAPROXY");
		if ("true".equals(required) || ("true".equals(System.getenv("CI")) && !"false".equals(required))) {
			fail(reason + ": under CI=true (or MONGOLB_REQUIRE_HAPROXY=true) the real-HAProxy tests must run;"
					+ " set MONGOLB_REQUIRE_HAPROXY=false to skip them");
		}
		Assumptions.abort(reason + ": skipping the real-HAProxy tests");
		throw new IllegalStateException("unreachable");
	}

	/**
	 * Starts HAProxy ({@code mode tcp}, {@code balance roundrobin}) in front of the given
	 * ports, with a TCP health check every 200 ms on each server, as deployments in front
	 * of mongos have: with {@code send-proxy-v2} each check connection begins with a
	 * PROXY v2 {@code LOCAL} header and is closed without a MongoDB message.
	 * @param directory where to write the configuration and the log
	 * @param upstreamPorts the fronts' load-balancer ports on 127.0.0.1
	 * @param sendProxy {@code send-proxy-v2} or {@code send-proxy}
	 */
	public static HaproxyProcess start(Path directory, List<Integer> upstreamPorts, String sendProxy) {
		Path executable = requireHaproxy();
		// HAProxy needs its port in the configuration, so a free port is picked first;
		// another process may take it meanwhile, so a start that fails is tried again on
		// a new port, a bounded number of times.
		IllegalStateException failure = null;
		for (int attempt = 1; attempt <= 3; attempt++) {
			try {
				return start(executable, directory, upstreamPorts, sendProxy, attempt);
			}
			catch (IllegalStateException ex) {
				failure = ex;
			}
		}
		throw failure;
	}

	private static HaproxyProcess start(Path executable, Path directory, List<Integer> upstreamPorts, String sendProxy,
			int attempt) {
		int port = LoopbackPorts.freePort();
		StringBuilder config = new StringBuilder();
		config.append("global\n    maxconn 256\n\n");
		config.append(
				"defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 30m\n    timeout server 30m\n\n");
		config.append("frontend mongos\n    bind 127.0.0.1:").append(port).append("\n    default_backend fronts\n\n");
		config.append("backend fronts\n    balance roundrobin\n");
		for (int i = 0; i < upstreamPorts.size(); i++) {
			config.append("    server front")
				.append(i)
				.append(" 127.0.0.1:")
				.append(upstreamPorts.get(i))
				.append(' ')
				.append(sendProxy)
				.append(" check inter 200ms\n");
		}
		try {
			Path cfg = directory.resolve("haproxy-" + sendProxy + "-" + attempt + ".cfg");
			Files.writeString(cfg, config.toString(), StandardCharsets.UTF_8);
			Path log = directory.resolve("haproxy-" + sendProxy + "-" + attempt + ".log");
			Process process = new ProcessBuilder(executable.toString(), "-f", cfg.toString(), "-db")
				.redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			HaproxyProcess haproxy = new HaproxyProcess(process, port, log);
			try {
				await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
					if (!process.isAlive()) {
						throw new IllegalStateException(
								"haproxy exited with " + process.exitValue() + ": " + Files.readString(log));
					}
					return LoopbackPorts.accepts(port);
				});
			}
			catch (RuntimeException ex) {
				haproxy.close();
				throw (ex instanceof IllegalStateException state) ? state : new IllegalStateException(ex);
			}
			return haproxy;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public int getPort() {
		return this.port;
	}

	public String connectionString() {
		return "mongodb://127.0.0.1:" + this.port + "/?loadBalanced=true";
	}

	public String log() {
		try {
			return Files.readString(this.log);
		}
		catch (IOException ex) {
			return "(no log: " + ex.getMessage() + ")";
		}
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.process.destroyForcibly();
		}
		try {
			Runtime.getRuntime().removeShutdownHook(this.killOnExit);
		}
		catch (IllegalStateException ex) {
			// The JVM is already shutting down: the hook runs anyway.
		}
	}

}
