package io.mongolb.autoconfigure.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.mongodb.MongoCommandException;
import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ServerId;
import com.mongodb.connection.ServerType;
import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import com.mongodb.event.ConnectionPoolClearedEvent;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server error that quotes a connection string with a password: the model keeps and
 * logs it masked.
 */
@ExtendWith(OutputCaptureExtension.class)
class SecretTextTests {

	private static final ServerId SERVER = new ServerId(new ClusterId("secrets"),
			new ServerAddress("lb.example.net", 27017));

	@Test
	void userInformationAndSecretOptionsAreMasked() {
		assertThat(SecretText.mask("no such command: 'mongodb://app:Sup3rS3cret@db.example.net/app?authSource=admin'"))
			.isEqualTo("no such command: 'mongodb://****@db.example.net/app?authSource=admin'");
		assertThat(SecretText.mask("mongodb+srv://a:p@ss@cluster0.example.net/?tls=true"))
			.isEqualTo("mongodb+srv://****@cluster0.example.net/?tls=true");
		assertThat(SecretText.mask("uri=mongodb://h/?authMechanismProperties=x&password=Sup3rS3cret&w=1"))
			.isEqualTo("uri=mongodb://h/?authMechanismProperties=x&password=****&w=1");
		assertThat(SecretText.mask("Timed out after 30000 ms while waiting for a server"))
			.isEqualTo("Timed out after 30000 ms while waiting for a server");
	}

	@Test
	void aFailureThatQuotesAPasswordIsKeptAndLoggedMasked(CapturedOutput output) {
		List<LoadBalancedEvent> events = new ArrayList<>();
		LoadBalancedTopology topology = new LoadBalancedTopology(4, Duration.ofSeconds(30), 16, new MutableClock(),
				events::add);
		ObjectId service = new ObjectId();
		ConnectionId id = new ConnectionId(SERVER, 1, null);
		topology.connectionPoolListener().connectionCreated(new ConnectionCreatedEvent(id));
		ConnectionDescription description = new ConnectionDescription(service, new ConnectionId(SERVER, 1, 99L), 21,
				ServerType.LOAD_BALANCER, 1000, 16_000_000, 48_000_000, List.of(), new BsonArray());
		String quoted = "mongodb://app:Sup3rS3cret@db.example.net/app";
		MongoCommandException error = new MongoCommandException(
				new BsonDocument("ok", new BsonInt32(0)).append("code", new BsonInt32(59))
					.append("errmsg", new BsonString("no such command: '" + quoted + "'")),
				SERVER.getAddress());
		topology.commandListener()
			.commandFailed(new CommandFailedEvent(null, 1, 1, description, "app", quoted, 1000, error));
		topology.connectionPoolListener().connectionPoolCleared(new ConnectionPoolClearedEvent(SERVER, service));
		assertThat(topology.snapshot().services().get(0).lastError()).contains("mongodb://****@db.example.net/app")
			.doesNotContain("Sup3rS3cret");
		assertThat(events).extracting(LoadBalancedEvent::description).noneMatch((text) -> text.contains("Sup3rS3cret"));
		assertThat(events).filteredOn((event) -> event.type() == LoadBalancedEvent.Type.POOL_CLEARED)
			.singleElement()
			.satisfies((event) -> assertThat(event.description()).contains("mongodb://****@db.example.net/app"));
		assertThat(output).contains("WARN").doesNotContain("Sup3rS3cret");
	}

}
