package io.mongolb.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small real HTTP client for the sample's JSON API (JDK {@link HttpClient}, Jackson 3
 * for the bodies).
 */
final class HttpJson {

	static final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(5))
		.build();

	private final String base;

	HttpJson(int port) {
		this.base = "http://127.0.0.1:" + port;
	}

	Reply get(String path) {
		return send(request(path).GET());
	}

	Reply post(String path, String body) {
		return send(request(path).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	Reply put(String path, String body) {
		return send(request(path).header("Content-Type", "application/json")
			.PUT(HttpRequest.BodyPublishers.ofString(body)));
	}

	Reply delete(String path) {
		return send(request(path).DELETE());
	}

	/**
	 * Sends {@code count} GET requests at once, so that the application's pool opens
	 * several connections (which the balancer spreads over the mongos behind it), and
	 * returns the {@code X-Mongo-Service-Id} values seen.
	 */
	Set<String> burst(String path, int count) {
		List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			replies.add(this.client.sendAsync(request(path).GET().build(), HttpResponse.BodyHandlers.ofString()));
		}
		Set<String> serviceIds = new TreeSet<>();
		for (CompletableFuture<HttpResponse<String>> reply : replies) {
			HttpResponse<String> response = reply.join();
			if (response.statusCode() != 200) {
				throw new IllegalStateException(
						"GET " + path + " answered " + response.statusCode() + ": " + response.body());
			}
			response.headers()
				.firstValue(ServiceIdHeader.HEADER)
				.ifPresent((value) -> serviceIds.addAll(List.of(value.split(","))));
		}
		return serviceIds;
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create(this.base + path)).timeout(Duration.ofSeconds(20));
	}

	private Reply send(HttpRequest.Builder request) {
		try {
			HttpResponse<String> response = this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
			return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
					response.headers().firstValue(ServiceIdHeader.HEADER).orElse(null),
					response.headers().firstValue("Location").orElse(null), response.body(),
					response.headers().map().toString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * One HTTP reply.
	 */
	record Reply(int status, String contentType, String serviceIds, String location, String body, String headers) {

		JsonNode json() {
			return HttpJson.json.readTree(this.body);
		}

		@Override
		public String toString() {
			return this.status + " " + this.contentType + " " + this.body;
		}

	}

}
