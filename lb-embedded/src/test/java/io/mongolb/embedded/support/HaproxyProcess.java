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

	private volatile Process process;

	private final int port;

	private final Path log;

	private final Path executable;

	private final Path config;

	private final Thread killOnExit;

	private HaproxyProcess(Process process, int port, Path log, Path executable, Path config) {
		this.process = process;
		this.port = port;
		this.log = log;
		this.executable = executable;
		this.config = config;
		// Should the test JVM die before close(), HAProxy must not outlive it (the hook
		// reads the field: after a restart it is the new process).
		this.killOnExit = new Thread(() -> this.process.destroyForcibly(), "haproxy-kill-on-exit");
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
		return start(directory, upstreamPorts, sendProxy, Options.DEFAULTS);
	}

	/**
	 * Starts HAProxy as {@link #start(Path, List, String)} does, with the given options.
	 * @param directory where to write the configuration and the log
	 * @param upstreamPorts the fronts' load-balancer ports on 127.0.0.1
	 * @param sendProxy {@code send-proxy-v2} or {@code send-proxy}
	 * @param options timeouts, {@code option redispatch} and {@code retries}
	 * @return the running HAProxy
	 */
	public static HaproxyProcess start(Path directory, List<Integer> upstreamPorts, String sendProxy, Options options) {
		Path executable = requireHaproxy();
		// HAProxy needs its port in the configuration, so a free port is picked first;
		// another process may take it meanwhile, so a start that fails is tried again on
		// a new port, a bounded number of times.
		IllegalStateException failure = null;
		for (int attempt = 1; attempt <= 3; attempt++) {
			try {
				return start(executable, directory, upstreamPorts, sendProxy, options, attempt);
			}
			catch (IllegalStateException ex) {
				failure = ex;
			}
		}
		throw failure;
	}

	private static HaproxyProcess start(Path executable, Path directory, List<Integer> upstreamPorts, String sendProxy,
			Options options, int attempt) {
		int port = LoopbackPorts.freePort();
		StringBuilder config = new StringBuilder();
		config.append("global\n    maxconn 256\n\n");
		config.append("defaults\n    mode tcp\n    timeout connect 5s\n    timeout client ")
			.append(options.clientTimeout())
			.append("\n    timeout server ")
			.append(options.serverTimeout())
			.append("\n\n");
		config.append("frontend mongos\n    bind 127.0.0.1:").append(port).append("\n    default_backend fronts\n\n");
		config.append("backend fronts\n    balance roundrobin\n");
		if (options.redispatch()) {
			config.append("    option redispatch\n");
		}
		if (options.retries() >= 0) {
			config.append("    retries ").append(options.retries()).append('\n');
		}
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
			Process process = launch(executable, cfg, log);
			HaproxyProcess haproxy = new HaproxyProcess(process, port, log, executable, cfg);
			try {
				haproxy.awaitListening();
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

	private static Process launch(Path executable, Path cfg, Path log) throws IOException {
		return new ProcessBuilder(executable.toString(), "-f", cfg.toString(), "-db").redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.start();
	}

	private void awaitListening() {
		Process current = this.process;
		await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
			if (!current.isAlive()) {
				throw new IllegalStateException(
						"haproxy exited with " + current.exitValue() + ": " + Files.readString(this.log));
			}
			return LoopbackPorts.accepts(this.port);
		});
	}

	/**
	 * The PID of the running HAProxy.
	 * @return its process id
	 */
	public long pid() {
		return this.process.pid();
	}

	/**
	 * Kills HAProxy with SIGKILL, as a crash or an OOM kill would (no graceful stop: its
	 * connections are reset by the kernel), and waits until it has exited.
	 */
	public void kill() {
		Process current = this.process;
		current.destroyForcibly();
		try {
			if (!current.waitFor(10, TimeUnit.SECONDS)) {
				throw new IllegalStateException("haproxy (pid " + current.pid() + ") did not exit after SIGKILL");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Starts HAProxy again after {@link #kill()}, with the same configuration, on the
	 * same port, and waits until it listens. The port was HAProxy's a moment ago; should
	 * another socket take it meanwhile, the start is retried (bounded, 10 s).
	 */
	public void restart() {
		if (this.process.isAlive()) {
			throw new IllegalStateException("haproxy (pid " + this.process.pid() + ") is still running");
		}
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (true) {
			try {
				this.process = launch(this.executable, this.config, this.log);
				awaitListening();
				return;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			catch (RuntimeException ex) {
				this.process.destroyForcibly();
				if (System.nanoTime() > deadline) {
					throw ex;
				}
			}
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
		Process process = this.process;
		process.destroy();
		try {
			if (!process.waitFor(10, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			process.destroyForcibly();
		}
		try {
			Runtime.getRuntime().removeShutdownHook(this.killOnExit);
		}
		catch (IllegalStateException ex) {
			// The JVM is already shutting down: the hook runs anyway.
		}
	}

	/**
	 * What the generated configuration varies: the client and server inactivity timeouts
	 * ({@code timeout client}/{@code timeout server}, HAProxy's time syntax such as
	 * {@code 30m} or {@code 2s}), {@code option redispatch} and {@code retries}.
	 *
	 * @param clientTimeout {@code timeout client}
	 * @param serverTimeout {@code timeout server}
	 * @param redispatch whether to add {@code option redispatch}
	 * @param retries the {@code retries} value, or a negative number for HAProxy's
	 * default (3, without the line)
	 */
	public record Options(String clientTimeout, String serverTimeout, boolean redispatch, int retries) {

		/** The configuration {@link #start(Path, List, String)} writes. */
		public static final Options DEFAULTS = new Options("30m", "30m", false, -1);

		/**
		 * These options with {@code option redispatch} and {@code retries}.
		 * @param retries the number of connection retries
		 * @return the new options
		 */
		public Options withRedispatch(int retries) {
			return new Options(this.clientTimeout, this.serverTimeout, true, retries);
		}

		/**
		 * These options with both inactivity timeouts set.
		 * @param timeout {@code timeout client} and {@code timeout server}
		 * @return the new options
		 */
		public Options withTimeouts(String timeout) {
			return new Options(timeout, timeout, this.redispatch, this.retries);
		}

	}

}
