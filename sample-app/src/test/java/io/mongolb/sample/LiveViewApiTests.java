package io.mongolb.sample;

import java.util.List;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The live view's API over real HTTP: {@code /api/fronts} lists the embedded fronts and
 * answers 400 for an index that names none; {@code /api/traffic} is off until switched
 * on; the page and its chart library are served. The 404 of {@code /api/fronts} against
 * another server is {@link PackagedSampleAppIT}'s part. Stopping and starting fronts is
 * {@link LiveViewBrowserTests}' part (this class shares its application with
 * {@link OrderApiTests}, whose fronts must keep running).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.address=127.0.0.1", "mongodb.load-balanced.embedded.enabled=true" })
class LiveViewApiTests {

	@LocalServerPort
	int port;

	@Autowired
	EmbeddedLoadBalancedMongo mongo;

	@Test
	void frontsListsTheEmbeddedFronts() {
		HttpJson.Reply reply = new HttpJson(this.port).get("/api/fronts");
		assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
		List<JsonNode> fronts = reply.json().path("fronts").values().stream().toList();
		assertThat(fronts).hasSize(2);
		for (int i = 0; i < 2; i++) {
			JsonNode front = fronts.get(i);
			assertThat(front.path("index").asInt()).isEqualTo(i);
			assertThat(front.path("serviceId").asString()).isEqualTo(this.mongo.getServiceId(i).toHexString());
			assertThat(front.path("running").asBoolean()).isTrue();
			assertThat(front.path("loadBalancerPort").asInt()).isEqualTo(this.mongo.getLoadBalancerPort(i));
		}
	}

	@Test
	void anIndexThatNamesNoFrontIsABadRequest() {
		HttpJson http = new HttpJson(this.port);
		for (String path : List.of("/api/fronts/2/stop", "/api/fronts/-1/start")) {
			HttpJson.Reply reply = http.post(path, "");
			assertThat(reply.status()).as(reply.toString()).isEqualTo(400);
			assertThat(reply.contentType()).startsWith("application/problem+json");
			JsonNode problem = reply.json();
			assertThat(problem.path("title").asString()).isEqualTo("No such front");
			assertThat(problem.path("detail").asString()).matches(
					"No front -?\\d: the index is 0 to 1 " + "\\(mongodb\\.load-balanced\\.embedded\\.fronts=2\\)");
			assertThat(problem.path("fronts").asInt()).isEqualTo(2);
		}
		HttpJson.Reply notANumber = http.post("/api/fronts/first/stop", "");
		assertThat(notANumber.status()).as(notANumber.toString()).isEqualTo(400);
		assertThat(notANumber.body()).contains("index");
		assertThat(this.mongo.isFrontRunning(0)).isTrue();
		assertThat(this.mongo.isFrontRunning(1)).isTrue();
	}

	@Test
	void trafficIsOffUntilSwitchedOn() {
		JsonNode traffic = new HttpJson(this.port).get("/api/traffic").json();
		assertThat(traffic.path("running").asBoolean()).isFalse();
		assertThat(traffic.path("burst").asInt()).isEqualTo(TrafficGenerator.BURST);
	}

	@Test
	void servesThePageAndItsChartLibrary() {
		HttpJson http = new HttpJson(this.port);
		HttpJson.Reply page = http.get("/");
		assertThat(page.status()).isEqualTo(200);
		assertThat(page.body()).contains("<title>mongolb sample: live view of the mongos</title>",
				"/webjars/uplot/dist/uPlot.iife.min.js");
		// The version-free WebJar path, resolved by webjars-locator-lite.
		HttpJson.Reply uplot = http.get("/webjars/uplot/dist/uPlot.iife.min.js");
		assertThat(uplot.status()).isEqualTo(200);
		assertThat(uplot.body()).contains("uPlot");
		assertThat(http.get("/live/live.js").status()).isEqualTo(200);
	}

}
