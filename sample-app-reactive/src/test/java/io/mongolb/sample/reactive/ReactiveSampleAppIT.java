package io.mongolb.sample.reactive;

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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged reactive sample started as a user starts it ({@code java -jar} of the
 * repackaged jar, after {@code package}), on the embedded default: its health, its
 * endpoint, and that the jar carries the reactive driver and not the synchronous one.
 */
class ReactiveSampleAppIT {

	private static final Pattern READY = Pattern.compile("mongolb reactive sample ready on http://localhost:(\\d+)/");

	private static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@TempDir
	Path directory;

	@Test
	void theJarCarriesTheReactiveDriverOnly() throws IOException {
		try (JarFile jar = new JarFile(jar().toFile())) {
			List<String> libs = jar.stream()
				.map((entry) -> entry.getName())
				.filter((name) -> name.startsWith("BOOT-INF/lib/"))
				.toList();
			assertThat(libs).anyMatch((name) -> name.startsWith("BOOT-INF/lib/mongodb-driver-reactivestreams-"))
				.anyMatch((name) -> name.startsWith("BOOT-INF/lib/mongodb-lb-spring-boot-autoconfigure-"))
				.noneMatch((name) -> name.startsWith("BOOT-INF/lib/mongodb-driver-sync-"));
		}
	}

	@Test
	void embeddedDefaultIsLoadBalancedAndItsReactiveHealthIsUp() throws Exception {
		Path log = this.directory.resolve("sample-app-reactive.log");
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
						jar().toAbsolutePath().toString(), "--server.port=0", "--server.address=127.0.0.1"));
		ProcessBuilder builder = new ProcessBuilder(command).directory(this.directory.toFile())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		builder.environment().keySet().removeIf((name) -> name.startsWith("SPRING_MONGODB"));
		Process process = builder.start();
		Thread killOnExit = new Thread(process::destroyForcibly, "sample-app-reactive-kill-on-exit");
		Runtime.getRuntime().addShutdownHook(killOnExit);
		try {
			AtomicInteger port = new AtomicInteger();
			await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50)).until(() -> {
				assertThat(process.isAlive()).as("the sample is running:\n%s", read(log)).isTrue();
				Matcher ready = READY.matcher(read(log));
				if (ready.find()) {
					port.set(Integer.parseInt(ready.group(1)));
					return true;
				}
				return false;
			});
			String base = "http://127.0.0.1:" + port.get();
			for (int i = 0; i < 3; i++) {
				HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(base + "/api/notes"))
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"note " + i + "\"}")));
				assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
			}
			JsonNode notes = json.readTree(send(HttpRequest.newBuilder(URI.create(base + "/api/notes"))).body());
			assertThat(notes.size()).isEqualTo(3);

			HttpResponse<String> healthReply = send(HttpRequest.newBuilder(URI.create(base + "/actuator/health")));
			System.out.println("GET /actuator/health -> " + healthReply.statusCode() + " " + healthReply.body());
			assertThat(healthReply.statusCode()).isEqualTo(200);
			JsonNode health = json.readTree(healthReply.body());
			assertThat(health.path("status").asString()).isEqualTo("UP");
			JsonNode loadBalancer = health.path("components").path("mongodbLoadBalancer");
			assertThat(loadBalancer.path("status").asString()).isEqualTo("UP");
			JsonNode details = loadBalancer.path("details");
			assertThat(details.path("topologyType").asString()).isEqualTo("LoadBalanced");
			assertThat(details.path("serverType").asString()).isEqualTo("LoadBalancer");
			assertThat(details.path("loadBalancer").asString()).matches("127\\.0\\.0\\.1:\\d+");
			assertThat(details.path("servicesSeen").asInt()).isPositive();
			assertThat(health.path("components").path("mongo").path("status").asString()).isEqualTo("UP");

			HttpResponse<String> endpoint = send(HttpRequest.newBuilder(URI.create(base + "/actuator/mongodblb")));
			System.out.println("GET /actuator/mongodblb -> " + endpoint.statusCode() + " " + endpoint.body());
			JsonNode clients = json.readTree(endpoint.body()).path("clients");
			assertThat(clients.size()).isOne();
			assertThat(clients.has("reactiveStreamsMongoClient")).isTrue();
			assertThat(clients.path("reactiveStreamsMongoClient").path("loadBalanced").asBoolean()).isTrue();

			String output = read(log);
			assertThat(output).contains("MongoDB load-balanced mode is active: LoadBalancer 127.0.0.1:")
				.doesNotContain("localhost:27017");
		}
		finally {
			process.destroy();
			if (!process.waitFor(20, TimeUnit.SECONDS)) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
			Runtime.getRuntime().removeShutdownHook(killOnExit);
		}
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
		return this.http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static Path jar() {
		Path jar = Path
			.of(System.getProperty("sample.jar", "target/mongodb-lb-sample-app-reactive-0.1.0-SNAPSHOT.jar"));
		assertThat(jar).as("the repackaged sample jar (run the tests with mvn verify)").isRegularFile();
		return jar;
	}

	private static String read(Path log) {
		try {
			return Files.readString(log);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
