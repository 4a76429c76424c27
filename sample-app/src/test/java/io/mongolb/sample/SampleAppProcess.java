package io.mongolb.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged sample app started as a user starts it: {@code java -jar} of the repackaged jar that Maven built (its
 * path comes from the system property {@code sample.jar}, set by the failsafe configuration), on a free port, its
 * output captured in a file. Closing it stops the process it started, and only that one.
 */
final class SampleAppProcess implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

	private static final String READY_LINE = "mongolb sample ready on";

	private final Process process;

	private final int port;

	private final Path log;

	private final Duration startup;

	private SampleAppProcess(Process process, int port, Path log, Duration startup) {
		this.process = process;
		this.port = port;
		this.log = log;
		this.startup = startup;
	}

	/**
	 * Starts the jar and waits until it answers HTTP.
	 * @param directory where to write the output
	 * @param environment variables to add; {@code SPRING_MONGODB_*} of the caller's environment are removed first so
	 * that the embedded default is really the default
	 * @param args application arguments after {@code --server.port}
	 */
	static SampleAppProcess start(Path directory, Map<String, String> environment, String... args) {
		Path jar = Path.of(System.getProperty("sample.jar", "target/mongodb-lb-sample-app-0.1.0-SNAPSHOT.jar"));
		assertThat(jar).as("the repackaged sample jar (run the tests with mvn verify)").isRegularFile();
		int port = freePort();
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-jar");
		command.add(jar.toAbsolutePath().toString());
		command.add("--server.port=" + port);
		command.add("--server.address=127.0.0.1");
		command.addAll(List.of(args));
		Path log = directory.resolve("sample-app-" + port + ".log");
		ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		builder.environment().keySet().removeIf((name) -> name.startsWith("SPRING_MONGODB"));
		builder.environment().putAll(environment);
		long started = System.nanoTime();
		Process process;
		try {
			process = builder.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		try {
			HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
			HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
				.timeout(Duration.ofSeconds(5))
				.build();
			await().atMost(STARTUP_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
				if (!process.isAlive()) {
					throw new IllegalStateException(
							"The sample app exited with " + process.exitValue() + ":\n" + Files.readString(log));
				}
				try {
					// Any answer (UP is 200, DOWN is 503) means the application is serving HTTP.
					client.send(probe, HttpResponse.BodyHandlers.discarding());
					return true;
				}
				catch (IOException ex) {
					return false;
				}
			});
		}
		catch (RuntimeException | Error ex) {
			stop(process);
			throw ex;
		}
		Duration startup = Duration.ofNanos(System.nanoTime() - started);
		SampleAppProcess app = new SampleAppProcess(process, port, log, startup);
		try {
			// The start-up report is logged on ApplicationReadyEvent, which can follow the first HTTP answer.
			await().atMost(Duration.ofSeconds(30))
				.pollInterval(Duration.ofMillis(50))
				.until(() -> app.output().contains(READY_LINE));
		}
		catch (RuntimeException | Error ex) {
			stop(process);
			throw ex;
		}
		return app;
	}

	int port() {
		return this.port;
	}

	/** Time from the process start to the first HTTP answer. */
	Duration startup() {
		return this.startup;
	}

	String output() {
		try {
			return Files.readString(this.log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Stops the process (SIGTERM, so Spring's graceful shutdown runs) and returns its exit code. */
	int stop() {
		return stop(this.process);
	}

	@Override
	public void close() {
		stop(this.process);
	}

	private static int stop(Process process) {
		process.destroy();
		try {
			if (!process.waitFor(20, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			process.destroyForcibly();
		}
		return process.isAlive() ? -1 : process.exitValue();
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
