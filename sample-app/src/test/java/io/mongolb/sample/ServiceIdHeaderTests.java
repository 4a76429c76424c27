package io.mongolb.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ServerId;
import com.mongodb.connection.ServerType;
import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandSucceededEvent;
import io.mongolb.autoconfigure.topology.CurrentService;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.MethodParameter;
import org.springframework.http.MediaType;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.http.server.ServletServerHttpResponse;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The response header that names the mongos of a request, fed with the driver's own event
 * objects through the starter's command listener, in the {@link CurrentService} scope
 * that the starter's filter opens around each request.
 */
class ServiceIdHeaderTests {

	private static final ServerId SERVER = new ServerId(new ClusterId("sample"), new ServerAddress("lb", 27017));

	private final CommandListener listener = new LoadBalancedTopology(32, Duration.ofSeconds(30), 16).commandListener();

	private final ServiceIdHeader advice = new ServiceIdHeader();

	private int connections;

	@BeforeEach
	@AfterEach
	void forget() {
		CurrentService.clear();
	}

	@Test
	void namesEveryServiceOnceInTheOrderSeen() throws IOException {
		ObjectId a = new ObjectId();
		ObjectId b = new ObjectId();
		MockHttpServletResponse response = new MockHttpServletResponse();
		try (CurrentService.Scope request = CurrentService.open()) {
			this.listener.commandSucceeded(succeeded(a));
			this.listener.commandSucceeded(succeeded(a));
			this.listener.commandFailed(failed(b));
			write(response, "/api/orders");
		}
		assertThat(response.getHeader(ServiceIdHeader.HEADER)).isEqualTo(a.toHexString() + "," + b.toHexString());
	}

	@Test
	void aFailedCommandNamesItsService() throws IOException {
		ObjectId a = new ObjectId();
		MockHttpServletResponse response = new MockHttpServletResponse();
		try (CurrentService.Scope request = CurrentService.open()) {
			this.listener.commandFailed(failed(a));
			write(response, "/api/orders/1");
		}
		assertThat(response.getHeader(ServiceIdHeader.HEADER)).isEqualTo(a.toHexString());
	}

	@Test
	void nothingIsRecordedOutsideARequestNorCarriedToTheNextOne() throws IOException {
		ObjectId before = new ObjectId();
		ObjectId during = new ObjectId();
		ObjectId after = new ObjectId();
		this.listener.commandSucceeded(succeeded(before));
		MockHttpServletResponse first = new MockHttpServletResponse();
		try (CurrentService.Scope request = CurrentService.open()) {
			this.listener.commandSucceeded(succeeded(during));
			write(first, "/api/orders");
		}
		this.listener.commandSucceeded(succeeded(after));
		MockHttpServletResponse second = new MockHttpServletResponse();
		try (CurrentService.Scope request = CurrentService.open()) {
			write(second, "/api/orders");
		}
		assertThat(first.getHeader(ServiceIdHeader.HEADER)).isEqualTo(during.toHexString());
		assertThat(second.getHeader(ServiceIdHeader.HEADER)).isNull();
	}

	@Test
	void aCommittedResponseIsLeftAlone() throws IOException {
		MockHttpServletResponse response = new MockHttpServletResponse();
		response.setCommitted(true);
		try (CurrentService.Scope request = CurrentService.open()) {
			this.listener.commandSucceeded(succeeded(new ObjectId()));
			write(response, "/api/orders");
		}
		assertThat(response.getHeader(ServiceIdHeader.HEADER)).isNull();
	}

	@Test
	void onlyApiResponsesAreNamed() throws IOException {
		MockHttpServletResponse response = new MockHttpServletResponse();
		try (CurrentService.Scope request = CurrentService.open()) {
			this.listener.commandSucceeded(succeeded(new ObjectId()));
			write(response, "/actuator/health");
		}
		assertThat(response.getHeader(ServiceIdHeader.HEADER)).isNull();
	}

	// What Spring MVC does with a response body: the advice, then the converter writes
	// the headers and the body.
	private void write(MockHttpServletResponse response, String path) throws IOException {
		ServletServerHttpResponse output = new ServletServerHttpResponse(response);
		MethodParameter returnType;
		try {
			returnType = MethodParameter.forExecutable(OrderController.class.getDeclaredMethod("read", String.class),
					-1);
		}
		catch (NoSuchMethodException ex) {
			throw new IllegalStateException(ex);
		}
		Object body = this.advice.beforeBodyWrite("{}", returnType, MediaType.APPLICATION_JSON,
				JacksonJsonHttpMessageConverter.class,
				new ServletServerHttpRequest(new MockHttpServletRequest("GET", path)), output);
		assertThat(body).isEqualTo("{}");
		output.flush();
	}

	private CommandSucceededEvent succeeded(ObjectId serviceId) {
		return new CommandSucceededEvent(null, 1, 1, description(serviceId), "orders", "find", new BsonDocument(), 1);
	}

	private CommandFailedEvent failed(ObjectId serviceId) {
		return new CommandFailedEvent(null, 1, 1, description(serviceId), "orders", "find", 1,
				new MongoSocketReadException("Prematurely reached end of stream", SERVER.getAddress()));
	}

	private ConnectionDescription description(ObjectId serviceId) {
		int connection = ++this.connections;
		return new ConnectionDescription(serviceId, new ConnectionId(SERVER, connection, 100L + connection), 21,
				ServerType.LOAD_BALANCER, 1000, 16_000_000, 48_000_000, List.of(), new BsonArray());
	}

}
