package io.mongolb.autoconfigure.observation;

import java.time.Duration;
import java.util.List;

import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ServerId;
import com.mongodb.connection.ServerType;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import com.mongodb.observability.micrometer.DefaultMongodbObservationConvention;
import com.mongodb.observability.micrometer.MongodbObservation;
import com.mongodb.observability.micrometer.MongodbObservationContext;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The convention on the driver's own context type and a real topology, fed the command
 * event the driver sends.
 */
class ServiceIdObservationConventionTests {

	private static final ServerId SERVER = new ServerId(new ClusterId("obs"), new ServerAddress("lb", 27017));

	private final LoadBalancedTopology topology = new LoadBalancedTopology(32, Duration.ofSeconds(30), 256);

	private final ServiceIdObservationConvention convention = new ServiceIdObservationConvention(this.topology);

	@Test
	void aCommandOnAKnownConnectionCarriesItsServiceIdWithTheDriversKeys() {
		ObjectId serviceId = new ObjectId();
		ConnectionId connection = commandRanOn(serviceId, 7);
		MongodbObservationContext context = command(connection);
		KeyValues keyValues = this.convention.getHighCardinalityKeyValues(context);
		assertThat(keyValues)
			.contains(KeyValue.of(ServiceIdObservationConvention.SERVICE_ID_KEY, serviceId.toHexString()));
		assertThat(keyValues.stream().filter((keyValue) -> !keyValue.getKey().equals("mongodb.service.id")))
			.containsExactlyElementsOf(new DefaultMongodbObservationConvention().getHighCardinalityKeyValues(context));
		assertThat(this.convention.getLowCardinalityKeyValues(context))
			.containsExactlyElementsOf(new DefaultMongodbObservationConvention().getLowCardinalityKeyValues(context));
	}

	@Test
	void aConnectionThatRanNoCommandYetHasNoServiceId() {
		commandRanOn(new ObjectId(), 7);
		KeyValues keyValues = this.convention.getHighCardinalityKeyValues(command(new ConnectionId(SERVER, 8, null)));
		assertThat(keyValues.stream().map(KeyValue::getKey))
			.doesNotContain(ServiceIdObservationConvention.SERVICE_ID_KEY)
			.contains("db.mongodb.driver_connection_id");
	}

	@Test
	void operationsHaveNoConnectionAndNoServiceId() {
		commandRanOn(new ObjectId(), 7);
		MongodbObservationContext operation = new MongodbObservationContext();
		operation.setObservationType(MongodbObservation.MONGODB_OPERATION);
		operation.setCommandName("find");
		assertThat(this.convention.getHighCardinalityKeyValues(operation)).isEmpty();
	}

	@Test
	void supportsTheDriversContextsOnly() {
		assertThat(this.convention.supportsContext(new MongodbObservationContext())).isTrue();
		assertThat(this.convention.supportsContext(new Observation.Context())).isFalse();
	}

	private ConnectionId commandRanOn(ObjectId serviceId, long localValue) {
		ConnectionId id = new ConnectionId(SERVER, localValue, null);
		this.topology.connectionPoolListener().connectionCreated(new ConnectionCreatedEvent(id));
		ConnectionId handshaken = new ConnectionId(SERVER, localValue, 4000L + localValue);
		this.topology.commandListener()
			.commandSucceeded(
					new CommandSucceededEvent(null, 1, 1,
							new ConnectionDescription(serviceId, handshaken, 21, ServerType.LOAD_BALANCER, 1000,
									16_000_000, 48_000_000, List.of(), new BsonArray()),
							"app", "find", new BsonDocument(), 1));
		return handshaken;
	}

	private static MongodbObservationContext command(ConnectionId connection) {
		MongodbObservationContext context = new MongodbObservationContext();
		context.setObservationType(MongodbObservation.MONGODB_COMMAND);
		context.setCommandName("find");
		context.setDatabaseName("app");
		context.setCollectionName("orders");
		context.setServerAddress(new ServerAddress("lb", 27017));
		context.setConnectionId(connection);
		return context;
	}

}
