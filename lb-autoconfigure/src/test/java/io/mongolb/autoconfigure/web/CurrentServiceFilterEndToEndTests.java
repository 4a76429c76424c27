package io.mongolb.autoconfigure.web;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import io.mongolb.autoconfigure.topology.CurrentService;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The filter in a real Spring MVC application on embedded Tomcat with one request thread
 * ({@code server.tomcat.threads.max=1}), the real driver and the embedded load-balanced
 * MongoDB: a request that runs a command names its mongos (and, with MDC on, so do its
 * log lines), and the next request on the same pooled thread, which runs none, sees no
 * serviceId and no MDC key.
 */
@ExtendWith(OutputCaptureExtension.class)
class CurrentServiceFilterEndToEndTests {

	private EmbeddedLoadBalancedMongo mongo;

	private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

	private final HttpClient http = HttpClient.newHttpClient();

	@BeforeEach
	void start() {
		this.mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start();
		this.logs.start();
	}

	@AfterEach
	void stop() {
		logger().detachAppender(this.logs);
		this.mongo.close();
	}

	@Test
	void nothingCarriesOverToTheNextRequestOnThePooledThread() throws Exception {
		try (ConfigurableApplicationContext context = run("mongodb.load-balanced.mdc.enabled=true")) {
			List<String> fronts = this.mongo.getServiceIds().stream().map(ObjectId::toHexString).toList();
			for (int round = 0; round < 3; round++) {
				Map<String, String> command = get(context, "/command");
				assertThat(command.get("serviceId")).isIn(fronts);
				assertThat(command.get("mdc")).isEqualTo(command.get("serviceId"));
				assertThat(command.get("services")).isEqualTo("[" + command.get("serviceId") + "]");
				Map<String, String> none = get(context, "/none");
				assertThat(none.get("thread")).as("one pooled request thread").isEqualTo(command.get("thread"));
				assertThat(none.get("serviceId")).isEqualTo("null");
				assertThat(none.get("services")).isEqualTo("[]");
				assertThat(none.get("mdc")).isEqualTo("null");
				assertThat(none.get("mdcMap")).as("the whole MDC").isEqualTo("{}");
			}
			// The application's log lines carry the key in the request that ran a
			// command, and only there.
			List<ILoggingEvent> lines = this.logs.list;
			assertThat(lines).hasSize(6);
			assertThat(lines).filteredOn((line) -> line.getFormattedMessage().equals("after a command"))
				.hasSize(3)
				.allSatisfy((line) -> assertThat(line.getMDCPropertyMap().get(CurrentService.MDC_KEY)).isIn(fronts));
			assertThat(lines).filteredOn((line) -> line.getFormattedMessage().equals("no command"))
				.hasSize(3)
				.allSatisfy((line) -> assertThat(line.getMDCPropertyMap()).doesNotContainKey(CurrentService.MDC_KEY));
		}
	}

	@Test
	void withoutMdcTheValueIsThereAndTheMdcIsLeftAlone() throws Exception {
		try (ConfigurableApplicationContext context = run()) {
			Map<String, String> command = get(context, "/command");
			assertThat(command.get("serviceId"))
				.isIn(this.mongo.getServiceIds().stream().map(ObjectId::toHexString).toList());
			assertThat(command.get("mdc")).isEqualTo("null");
			assertThat(command.get("mdcMap")).isEqualTo("{}");
			assertThat(get(context, "/none").get("serviceId")).isEqualTo("null");
			assertThat(this.logs.list)
				.allSatisfy((line) -> assertThat(line.getMDCPropertyMap()).doesNotContainKey(CurrentService.MDC_KEY));
		}
	}

	@Test
	void aBrokenRuleFailsWithTheStartersReportNotInsideTheWebServersStartUp(CapturedOutput output) {
		// The filter's registration is created while the web server starts: it must not
		// take the load-balanced decision there.
		assertThatExceptionOfType(RuntimeException.class)
			.isThrownBy(() -> run("spring.mongodb.uri=mongodb://127.0.0.1:1,127.0.0.1:2/web?loadBalanced=true"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("The MongoDB connection is not valid for load-balanced mode.")
			.doesNotContain("Error starting Tomcat context")
			.doesNotContain("mongodbCurrentServiceFilterRegistration");
	}

	@Test
	void anInvalidPropertyFailsWithTheBindingReportNotInsideTheWebServersStartUp(CapturedOutput output) {
		// Nor bind the starter's properties there.
		assertThatExceptionOfType(RuntimeException.class)
			.isThrownBy(() -> run("mongodb.load-balanced.metrics.max-services=0"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Property: mongodb.load-balanced.metrics.max-services")
			.doesNotContain("Error starting Tomcat context")
			.doesNotContain("mongodbCurrentServiceFilterRegistration");
	}

	private ConfigurableApplicationContext run(String... properties) {
		SpringApplication application = new SpringApplication(App.class);
		application.setWebApplicationType(WebApplicationType.SERVLET);
		Map<String, String> settings = new LinkedHashMap<>();
		settings.put("spring.mongodb.uri", this.mongo.getConnectionString("web"));
		settings.put("server.port", "0");
		settings.put("server.address", "127.0.0.1");
		settings.put("server.tomcat.threads.max", "1");
		settings.put("server.tomcat.threads.min-spare", "1");
		for (String property : properties) {
			int equals = property.indexOf('=');
			settings.put(property.substring(0, equals), property.substring(equals + 1));
		}
		String[] args = settings.entrySet()
			.stream()
			.map((setting) -> "--" + setting.getKey() + "=" + setting.getValue())
			.toArray(String[]::new);
		ConfigurableApplicationContext context = application.run(args);
		// After start-up: Spring Boot's logging initialization resets logback's loggers.
		logger().addAppender(this.logs);
		return context;
	}

	private Map<String, String> get(ConfigurableApplicationContext context, String path)
			throws IOException, InterruptedException {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		HttpResponse<String> response = this.http
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
				.timeout(Duration.ofSeconds(20))
				.build(), HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		Map<String, String> values = new LinkedHashMap<>();
		for (String pair : response.body().split(";")) {
			int equals = pair.indexOf('=');
			values.put(pair.substring(0, equals), pair.substring(equals + 1));
		}
		return values;
	}

	private static Logger logger() {
		return (Logger) LoggerFactory.getLogger(Endpoints.class);
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(Endpoints.class)
	static class App {

	}

	@RestController
	static class Endpoints {

		private final MongoCollection<Document> items;

		Endpoints(MongoClient client) {
			this.items = client.getDatabase("web").getCollection("items");
		}

		@GetMapping("/command")
		String command() {
			this.items.find().first();
			logger().info("after a command");
			return describe();
		}

		@GetMapping("/none")
		String none() {
			logger().info("no command");
			return describe();
		}

		private static String describe() {
			Map<String, String> mdc = MDC.getCopyOfContextMap();
			return "serviceId=" + CurrentService.lastServiceId() + ";services=" + CurrentService.servicesInScope()
					+ ";mdc=" + MDC.get(CurrentService.MDC_KEY) + ";mdcMap=" + ((mdc != null) ? mdc : Map.of())
					+ ";thread=" + Thread.currentThread().getName();
		}

	}

}
