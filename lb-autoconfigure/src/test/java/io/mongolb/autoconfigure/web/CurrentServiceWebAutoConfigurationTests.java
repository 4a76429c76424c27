package io.mongolb.autoconfigure.web;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ServerId;
import com.mongodb.connection.ServerType;
import com.mongodb.event.CommandSucceededEvent;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.topology.CurrentService;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import jakarta.servlet.Filter;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableWebApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the current-service filter is registered, in real Spring contexts with Spring
 * Boot's MongoDB auto-configuration and the real driver (in load-balanced mode it opens
 * no connection until an operation runs, so no server is needed); the filter itself runs
 * on Spring's mock servlet request and response.
 */
@ExtendWith(OutputCaptureExtension.class)
class CurrentServiceWebAutoConfigurationTests {

	private static final String LB_URI = "mongodb://127.0.0.1:27017/app?loadBalanced=true";

	private static final String PLAIN_URI = "mongodb://127.0.0.1:27017/app";

	private static final String REGISTRATION = "mongodbCurrentServiceFilterRegistration";

	private static final ServerId SERVER = new ServerId(new ClusterId("web"), new ServerAddress("lb", 27017));

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class, LoadBalancedMongoAutoConfiguration.class,
				CurrentServiceWebAutoConfiguration.class));

	// Other tests on this thread may have left a value: outside a scope it stays.
	@BeforeEach
	@AfterEach
	void forget() {
		CurrentService.clear();
		MDC.remove(CurrentService.MDC_KEY);
	}

	@Test
	void aLoadBalancedServletApplicationGetsTheFilterEarlyAndWithoutMdc() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI).run((context) -> {
			FilterRegistrationBean<?> registration = registration(context);
			assertThat(registration.isEnabled()).isTrue();
			assertThat(registration.getUrlPatterns()).isEmpty();
			assertThat(registration.getOrder()).isEqualTo(CurrentServiceFilter.ORDER);
			assertThat(registration.getFilterName()).isEqualTo("mongodbCurrentServiceFilter");
			assertThat(registration.getFilter()).isInstanceOf(CurrentServiceFilter.class);
			ObjectId served = new ObjectId();
			assertThat(serve(registration.getFilter(), served, context))
				.as("in the request: serviceId, MDC, services in scope; after it: serviceId")
				.containsExactly(served.toHexString(), null, "[" + served + "]", null);
		});
	}

	@Test
	void mdcEnabledKeepsTheKeyForTheRequestAndRemovesItAfter(CapturedOutput output) {
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI, "mongodb.load-balanced.mdc.enabled=true")
			.run((context) -> {
				FilterRegistrationBean<?> registration = registration(context);
				ObjectId served = new ObjectId();
				assertThat(serve(registration.getFilter(), served, context)).containsExactly(served.toHexString(),
						served.toHexString(), "[" + served + "]", null);
				assertThat(MDC.get(CurrentService.MDC_KEY)).isNull();
				assertThat(output).contains(
						"MDC key mongodb.serviceId names the mongos (serviceId) of each request's last MongoDB command");
			});
	}

	@Test
	void mdcEnabledIsReadAsSpringBootReadsABoolean() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI, "mongodb.load-balanced.mdc.enabled=on")
			.run((context) -> {
				ObjectId served = new ObjectId();
				assertThat(serve(registration(context).getFilter(), served, context))
					.containsExactly(served.toHexString(), served.toHexString(), "[" + served + "]", null);
			});
	}

	@Test
	void aClientThatIsNotLoadBalancedGetsRequestsPassedThroughUntouched(CapturedOutput output) {
		this.runner.withPropertyValues("spring.mongodb.uri=" + PLAIN_URI, "mongodb.load-balanced.mdc.enabled=true")
			.run((context) -> {
				// No such command reaches CurrentService for real (the starter registers
				// no listener on this client); this one shows that no scope is opened.
				ObjectId fed = new ObjectId();
				assertThat(serve(registration(context).getFilter(), fed, context)).containsExactly(fed.toHexString(),
						null, "[]", fed.toHexString());
				assertThat(output).contains(
						"mongodb.load-balanced.mdc.enabled=true has no effect: the MongoClient is not load-balanced");
			});
	}

	@Test
	void noFilterWhenTheStarterIsOff() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI, "mongodb.load-balanced.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(REGISTRATION));
	}

	@Test
	void noFilterOutsideAServletApplication() {
		AutoConfigurations configurations = AutoConfigurations.of(MongoAutoConfiguration.class,
				LoadBalancedMongoAutoConfiguration.class, CurrentServiceWebAutoConfiguration.class);
		new ApplicationContextRunner().withConfiguration(configurations)
			.withPropertyValues("spring.mongodb.uri=" + LB_URI)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(REGISTRATION));
		new ReactiveWebApplicationContextRunner().withConfiguration(configurations)
			.withPropertyValues("spring.mongodb.uri=" + LB_URI)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(REGISTRATION));
	}

	@Test
	void noFilterWithoutTheServletApi() {
		this.runner.withClassLoader(new FilteredClassLoader(Filter.class))
			.withPropertyValues("spring.mongodb.uri=" + LB_URI)
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(REGISTRATION));
	}

	@Test
	void aRegistrationOfTheApplicationReplacesTheStartersOne() {
		this.runner.withPropertyValues("spring.mongodb.uri=" + LB_URI)
			.withBean(REGISTRATION, FilterRegistrationBean.class, FilterRegistrationBean::new)
			.run((context) -> assertThat(registration(context).getFilter()).isNull());
	}

	private static FilterRegistrationBean<?> registration(AssertableWebApplicationContext context) {
		assertThat(context).hasNotFailed().hasBean(REGISTRATION);
		return context.getBean(REGISTRATION, FilterRegistrationBean.class);
	}

	/**
	 * Runs a request through the filter whose handler runs one command (fed to the
	 * context's topology listener, as the driver does), and returns what the handler read
	 * after it (serviceId, MDC value, services in scope) and the serviceId the thread
	 * holds after the request.
	 */
	private static List<String> serve(Filter filter, ObjectId serviceId, AssertableWebApplicationContext context)
			throws Exception {
		LoadBalancedTopology topology = context.getBean(LoadBalancedTopology.class);
		AtomicReference<List<String>> seen = new AtomicReference<>();
		filter.doFilter(new MockHttpServletRequest("GET", "/orders"), new MockHttpServletResponse(),
				(request, response) -> {
					ConnectionDescription description = new ConnectionDescription(serviceId,
							new ConnectionId(SERVER, 1, 4242L), 21, ServerType.LOAD_BALANCER, 1000, 16_000_000,
							48_000_000, List.of(), new BsonArray());
					topology.commandListener()
						.commandSucceeded(new CommandSucceededEvent(null, 1, 1, description, "app", "find",
								new BsonDocument(), 1));
					seen.set(Arrays.asList(hex(CurrentService.lastServiceId()), MDC.get(CurrentService.MDC_KEY),
							CurrentService.servicesInScope().toString()));
				});
		List<String> values = new ArrayList<>(seen.get());
		values.add(hex(CurrentService.lastServiceId()));
		return values;
	}

	private static @Nullable String hex(@Nullable ObjectId serviceId) {
		return (serviceId != null) ? serviceId.toHexString() : null;
	}

}
