package io.mongolb.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged sample app started as a user starts it: {@code java -jar} of the
 * repackaged jar that Maven built (its path comes from the system property
 * {@code sample.jar}, set by the failsafe configuration), on a free port, its output
 * captured in a file. Closing it stops the process it started, and only that one.
 */
final class SampleAppProcess implements AutoCloseable {

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

	private static final String READY_LINE = "mongolb sample ready on";

	private static final Pattern READY_PORT = Pattern.compile(READY_LINE + " http://localhost:(\\d+)/");

	private final Process process;

	private final int port;

	private final Path log;

	private final Thread killOnExit;

	private SampleAppProcess(Process process, int port, Path log, Thread killOnExit) {
		this.process = process;
		this.port = port;
		this.log = log;
		this.killOnExit = killOnExit;
	}

	/**
	 * Starts the jar on a port of its own choosing and waits until it is ready and
	 * answers HTTP.
	 * @param directory where to write the output
	 * @param environment variables to add; {@code SPRING_MONGODB_*} of the caller's
	 * environment are removed first so that the embedded default is really the default
	 * @param args application arguments after {@code --server.port}
	 */
	static SampleAppProcess start(Path directory, Map<String, String> environment, String... args) {
		return start(directory, List.of(), environment, args);
	}

	/**
	 * Starts the jar with JVM options ({@code -Dspring.aot.enabled=true}, for example)
	 * and waits as {@link #start(Path, Map, String...)} does.
	 * @param directory where to write the output
	 * @param jvmOptions options before {@code -jar}
	 * @param environment variables to add, as for {@link #start(Path, Map, String...)}
	 * @param args application arguments after {@code --server.port}
	 */
	static SampleAppProcess start(Path directory, List<String> jvmOptions, Map<String, String> environment,
			String... args) {
		Path jar = Path.of(System.getProperty("sample.jar", "target/mongodb-lb-sample-app-0.1.0-SNAPSHOT.jar"));
		assertThat(jar).as("the repackaged sample jar (run the tests with mvn verify)").isRegularFile();
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(jvmOptions);
		command.add("-jar");
		command.add(jar.toAbsolutePath().toString());
		// Port 0: the application binds a free port itself (no window for another process
		// to take it) and names it in its ready line.
		command.add("--server.port=0");
		command.add("--server.address=127.0.0.1");
		command.addAll(List.of(args));
		Path log;
		try {
			log = Files.createTempFile(directory, "sample-app-", ".log");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		builder.environment().keySet().removeIf((name) -> name.startsWith("SPRING_MONGODB"));
		builder.environment().putAll(environment);
		Process process;
		try {
			process = builder.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		// Should the test JVM die before close(), the application must not outlive it.
		Thread killOnExit = new Thread(process::destroyForcibly, "sample-app-kill-on-exit");
		Runtime.getRuntime().addShutdownHook(killOnExit);
		try {
			AtomicInteger port = new AtomicInteger();
			await().atMost(STARTUP_TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> {
				if (!process.isAlive()) {
					throw new IllegalStateException(
							"The sample app exited with " + process.exitValue() + ":\n" + Files.readString(log));
				}
				Matcher ready = READY_PORT.matcher(Files.readString(log));
				if (ready.find()) {
					port.set(Integer.parseInt(ready.group(1)));
					return true;
				}
				return false;
			});
			HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
			HttpRequest probe = HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + port.get() + "/actuator/health"))
				.timeout(Duration.ofSeconds(5))
				.build();
			await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
				try {
					// Any answer (UP is 200, DOWN is 503) means the application is
					// serving HTTP.
					client.send(probe, HttpResponse.BodyHandlers.discarding());
					return true;
				}
				catch (IOException ex) {
					return false;
				}
			});
			return new SampleAppProcess(process, port.get(), log, killOnExit);
		}
		catch (RuntimeException | Error ex) {
			stop(process);
			removeHook(killOnExit);
			throw ex;
		}
	}

	int port() {
		return this.port;
	}

	String output() {
		try {
			return Files.readString(this.log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Stops the process (SIGTERM, so Spring's graceful shutdown runs) and returns its
	 * exit code.
	 */
	int stop() {
		int exit = stop(this.process);
		removeHook(this.killOnExit);
		return exit;
	}

	@Override
	public void close() {
		stop();
	}

	private static void removeHook(Thread hook) {
		try {
			Runtime.getRuntime().removeShutdownHook(hook);
		}
		catch (IllegalStateException ex) {
			// The JVM is already shutting down: the hook runs anyway.
		}
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

}
