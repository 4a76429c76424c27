package io.mongolb.sample;

import java.util.List;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The orders API over real HTTP, on the embedded load-balanced default: the happy paths,
 * and bad requests (invalid JSON, missing or invalid fields, invalid paging, unknown ids)
 * answered with 400/404 and a problem+json body while the stored data stays as it was.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "server.address=127.0.0.1",
		// Explicit, so that a SPRING_MONGODB_URI in the environment running the tests
		// cannot redirect them.
		"mongodb.load-balanced.embedded.enabled=true" })
class OrderApiTests {

	private static final String PROBLEM_JSON = "application/problem+json";

	@LocalServerPort
	int port;

	@Autowired
	OrderRepository repository;

	@Autowired
	EmbeddedLoadBalancedMongo mongo;

	private HttpJson http;

	@BeforeEach
	void clean() {
		this.repository.deleteAll();
		this.http = new HttpJson(this.port);
	}

	@Test
	void createReadUpdateListDelete() {
		HttpJson.Reply created = this.http.post("/api/orders",
				"{\"customer\":\"ada\",\"item\":\"book\",\"quantity\":2}");
		assertThat(created.status()).as(created.toString()).isEqualTo(201);
		JsonNode order = created.json();
		String id = order.path("id").asString();
		assertThat(id).isNotBlank();
		assertThat(created.location()).endsWith("/api/orders/" + id);
		assertThat(order.path("customer").asString()).isEqualTo("ada");
		assertThat(order.path("quantity").asInt()).isEqualTo(2);
		// The serviceId of the mongos-like front that served the insert.
		assertThat(created.serviceIds()).isIn(hex(this.mongo));

		HttpJson.Reply read = this.http.get("/api/orders/" + id);
		assertThat(read.status()).isEqualTo(200);
		assertThat(read.json().path("item").asString()).isEqualTo("book");
		assertThat(read.serviceIds()).isIn(hex(this.mongo));

		HttpJson.Reply updated = this.http.put("/api/orders/" + id,
				"{\"customer\":\"ada\",\"item\":\"notebook\",\"quantity\":3}");
		assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
		assertThat(updated.json().path("item").asString()).isEqualTo("notebook");
		assertThat(updated.json().path("version").asLong()).isEqualTo(order.path("version").asLong() + 1);
		assertThat(this.repository.findById(id)).get().extracting(Order::quantity).isEqualTo(3);
		// A read and a save: one serviceId, or two when they ran on connections to
		// different fronts.
		assertThat(updated.serviceIds().split(",")).isSubsetOf(hex(this.mongo)).doesNotHaveDuplicates();

		HttpJson.Reply deleted = this.http.delete("/api/orders/" + id);
		assertThat(deleted.status()).isEqualTo(204);
		assertThat(deleted.serviceIds()).isIn(hex(this.mongo));
		assertThat(this.repository.count()).isZero();
		assertThat(this.http.get("/api/orders/" + id).status()).isEqualTo(404);
	}

	@Test
	void listsInPagesNewestFirst() {
		for (int i = 0; i < 5; i++) {
			assertThat(this.http.post("/api/orders", "{\"customer\":\"c" + i + "\",\"item\":\"i\",\"quantity\":1}")
				.status()).isEqualTo(201);
		}
		JsonNode first = this.http.get("/api/orders?page=0&size=2").json();
		assertThat(first.path("totalElements").asLong()).isEqualTo(5);
		assertThat(first.path("totalPages").asInt()).isEqualTo(3);
		assertThat(first.path("content").size()).isEqualTo(2);
		assertThat(first.path("content").path(0).path("customer").asString()).isEqualTo("c4");
		JsonNode last = this.http.get("/api/orders?page=2&size=2").json();
		assertThat(last.path("page").asInt()).isEqualTo(2);
		assertThat(last.path("content").size()).isEqualTo(1);
		assertThat(last.path("content").path(0).path("customer").asString()).isEqualTo("c0");
	}

	@Test
	void badRequestsGetProblemJsonAndLeaveDataIntact() {
		HttpJson.Reply created = this.http.post("/api/orders",
				"{\"customer\":\"ada\",\"item\":\"book\",\"quantity\":2}");
		String id = created.json().path("id").asString();
		String before = this.http.get("/api/orders/" + id).body();

		HttpJson.Reply invalidJson = this.http.post("/api/orders", "{\"customer\":\"bob\",");
		assertProblem(invalidJson, 400);
		assertThat(invalidJson.json().path("detail").asString()).contains("not valid JSON");
		// Refused before the controller: no command ran, so no mongos is named.
		assertThat(invalidJson.serviceIds()).isNull();

		HttpJson.Reply wrongType = this.http.post("/api/orders",
				"{\"customer\":\"bob\",\"item\":\"pen\",\"quantity\":\"many\"}");
		assertProblem(wrongType, 400);

		HttpJson.Reply missingFields = this.http.post("/api/orders", "{\"item\":\"  \"}");
		assertProblem(missingFields, 400);
		JsonNode errors = missingFields.json().path("errors");
		assertThat(errors.propertyNames()).containsExactlyInAnyOrder("customer", "item", "quantity");
		assertThat(errors.path("quantity").asString()).isEqualTo("must not be null");

		HttpJson.Reply outOfRange = this.http.post("/api/orders",
				"{\"customer\":\"bob\",\"item\":\"pen\",\"quantity\":0}");
		assertProblem(outOfRange, 400);
		assertThat(outOfRange.json().path("errors").path("quantity").asString()).contains("greater than or equal to 1");

		HttpJson.Reply emptyBody = this.http.post("/api/orders", "");
		assertProblem(emptyBody, 400);

		// An update of an existing order with an invalid body changes nothing.
		assertProblem(this.http.put("/api/orders/" + id, "{\"customer\":\"\",\"item\":\"x\",\"quantity\":5}"), 400);
		assertProblem(this.http.put("/api/orders/" + id, "not json"), 400);

		HttpJson.Reply badPage = this.http.get("/api/orders?size=1000");
		assertProblem(badPage, 400);
		assertThat(badPage.json().path("errors").path("size").asString()).contains("less than or equal to 100");
		assertProblem(this.http.get("/api/orders?page=x"), 400);

		HttpJson.Reply unknown = this.http.get("/api/orders/6b0000000000000000000000");
		assertProblem(unknown, 404);
		assertThat(unknown.json().path("detail").asString()).isEqualTo("No order with id '6b0000000000000000000000'");
		// The find that found nothing ran on a front.
		assertThat(unknown.serviceIds()).isIn(hex(this.mongo));
		// The next request, which runs no command, names none (nothing carries over).
		assertThat(this.http.get("/api/orders?size=1000").serviceIds()).isNull();
		assertProblem(this.http.put("/api/orders/no-such-order", "{\"customer\":\"a\",\"item\":\"b\",\"quantity\":1}"),
				404);
		assertProblem(this.http.delete("/api/orders/no-such-order"), 404);

		// Data intact: still exactly the one order, unchanged.
		assertThat(this.repository.count()).isEqualTo(1);
		assertThat(this.http.get("/api/orders/" + id).body()).isEqualTo(before);
		assertThat(this.http.get("/api/orders").json().path("totalElements").asLong()).isEqualTo(1);
	}

	private static void assertProblem(HttpJson.Reply reply, int status) {
		assertThat(reply.status()).as(reply.toString()).isEqualTo(status);
		assertThat(reply.contentType()).as(reply.toString()).startsWith(PROBLEM_JSON);
		JsonNode body = reply.json();
		assertThat(body.path("status").asInt()).isEqualTo(status);
		assertThat(body.path("title").asString()).isNotBlank();
		assertThat(body.path("detail").asString()).isNotBlank();
	}

	private static List<String> hex(EmbeddedLoadBalancedMongo mongo) {
		return mongo.getServiceIds().stream().map((id) -> id.toHexString()).toList();
	}

}
