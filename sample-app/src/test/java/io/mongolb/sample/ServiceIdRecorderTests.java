package io.mongolb.sample;

import java.util.List;

import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ServerId;
import com.mongodb.connection.ServerType;
import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandSucceededEvent;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import org.springframework.mock.web.MockHttpServletResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The response header that names the mongos of a request, fed with the driver's own event
 * objects.
 */
class ServiceIdRecorderTests {

	private static final ServerId SERVER = new ServerId(new ClusterId("sample"), new ServerAddress("lb", 27017));

	private final ServiceIdRecorder recorder = new ServiceIdRecorder();

	@Test
	void namesEveryServiceOnceInTheOrderSeen() {
		ObjectId a = new ObjectId();
		ObjectId b = new ObjectId();
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.recorder.begin(response);
		try {
			this.recorder.commandSucceeded(succeeded(a));
			this.recorder.commandSucceeded(succeeded(a));
			this.recorder.commandFailed(failed(b));
		}
		finally {
			this.recorder.end();
		}
		assertThat(response.getHeader(ServiceIdRecorder.HEADER)).isEqualTo(a.toHexString() + "," + b.toHexString());
	}

	@Test
	void aFailedCommandNamesItsService() {
		ObjectId a = new ObjectId();
		MockHttpServletResponse response = new MockHttpServletResponse();
		this.recorder.begin(response);
		this.recorder.commandFailed(failed(a));
		this.recorder.end();
		assertThat(response.getHeader(ServiceIdRecorder.HEADER)).isEqualTo(a.toHexString());
	}

	@Test
	void nothingIsRecordedOutsideARequestNorCarriedToTheNextOne() {
		ObjectId before = new ObjectId();
		ObjectId during = new ObjectId();
		ObjectId after = new ObjectId();
		this.recorder.commandSucceeded(succeeded(before));
		MockHttpServletResponse first = new MockHttpServletResponse();
		this.recorder.begin(first);
		this.recorder.commandSucceeded(succeeded(during));
		this.recorder.end();
		this.recorder.commandSucceeded(succeeded(after));
		MockHttpServletResponse second = new MockHttpServletResponse();
		this.recorder.begin(second);
		this.recorder.end();
		assertThat(first.getHeader(ServiceIdRecorder.HEADER)).isEqualTo(during.toHexString());
		assertThat(second.getHeader(ServiceIdRecorder.HEADER)).isNull();
	}

	@Test
	void aCommittedResponseIsLeftAlone() {
		MockHttpServletResponse response = new MockHttpServletResponse();
		response.setCommitted(true);
		this.recorder.begin(response);
		this.recorder.commandSucceeded(succeeded(new ObjectId()));
		this.recorder.end();
		assertThat(response.getHeader(ServiceIdRecorder.HEADER)).isNull();
	}

	private static CommandSucceededEvent succeeded(ObjectId serviceId) {
		return new CommandSucceededEvent(null, 1, 1, description(serviceId), "orders", "find", new BsonDocument(), 1);
	}

	private static CommandFailedEvent failed(ObjectId serviceId) {
		return new CommandFailedEvent(null, 1, 1, description(serviceId), "orders", "find", 1,
				new MongoSocketReadException("Prematurely reached end of stream", SERVER.getAddress()));
	}

	private static ConnectionDescription description(ObjectId serviceId) {
		return new ConnectionDescription(serviceId, new ConnectionId(SERVER, 1, 2L), 21, ServerType.LOAD_BALANCER, 1000,
				16_000_000, 48_000_000, List.of(), new BsonArray());
	}

}
