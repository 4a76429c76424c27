package io.mongolb.autoconfigure.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.mongodb.MongoSocketReadException;
import com.mongodb.ServerAddress;
import com.mongodb.connection.ClusterId;
import com.mongodb.connection.ConnectionDescription;
import com.mongodb.connection.ConnectionId;
import com.mongodb.connection.ServerId;
import com.mongodb.connection.ServerType;
import com.mongodb.event.ClusterClosedEvent;
import com.mongodb.event.ClusterOpeningEvent;
import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.event.ConnectionCheckedInEvent;
import com.mongodb.event.ConnectionCheckedOutEvent;
import com.mongodb.event.ConnectionClosedEvent;
import com.mongodb.event.ConnectionCreatedEvent;
import com.mongodb.event.ConnectionPoolClearedEvent;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.MutableClock;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The per-service meters fed with the MongoDB driver's own event objects, as the driver
 * would send them, into real Micrometer registries.
 */
class LoadBalancedMeterBinderTests {

	private static final ClusterId CLUSTER = new ClusterId("meters");

	private static final ServerId SERVER = new ServerId(CLUSTER, new ServerAddress("lb.example.net", 27017));

	private final MutableClock clock = new MutableClock();

	private final LoadBalancedTopology topology = new LoadBalancedTopology(2, Duration.ofSeconds(30), 16, this.clock,
			(event) -> {
			});

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	@Test
	void commandsConnectionsAndPoolClearsAreMeasuredPerService() {
		new LoadBalancedMeterBinder(this.topology).bindTo(this.registry);
		ObjectId a = new ObjectId();
		ObjectId b = new ObjectId();
		open(1);
		open(2);
		open(3);
		succeed(1, a, 5);
		succeed(1, a, 7);
		succeed(2, b, 3);
		fail(3, b, 11);
		this.topology.connectionPoolListener().connectionCheckedIn(new ConnectionCheckedInEvent(connectionId(1), 1));
		this.topology.connectionPoolListener().connectionPoolCleared(new ConnectionPoolClearedEvent(SERVER, b));
		Timer aSucceeded = timer(a, "success");
		assertThat(aSucceeded.count()).isEqualTo(2);
		assertThat(aSucceeded.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(12);
		assertThat(aSucceeded.getId().getDescription()).isNotBlank();
		assertThat(aSucceeded.getId().getTag("cluster.id")).isEqualTo(CLUSTER.getValue());
		assertThat(timer(a, "failure").count()).isZero();
		assertThat(timer(b, "success").count()).isOne();
		assertThat(timer(b, "failure").count()).isOne();
		assertThat(timer(b, "failure").totalTime(TimeUnit.MILLISECONDS)).isEqualTo(11);
		assertThat(connections(a, "open")).isEqualTo(1);
		assertThat(connections(a, "checked-out")).isZero();
		assertThat(connections(b, "open")).isEqualTo(2);
		assertThat(connections(b, "checked-out")).isEqualTo(2);
		assertThat(connections(b, "past-leak-threshold")).isZero();
		this.clock.advance(Duration.ofSeconds(31));
		assertThat(connections(b, "past-leak-threshold")).isEqualTo(2);
		assertThat(this.registry.get("mongodb.lb.pool.clears")
			.tag("service.id", b.toHexString())
			.functionCounter()
			.count()).isOne();
		assertThat(this.registry.get("mongodb.lb.pool.clears")
			.tag("service.id", a.toHexString())
			.functionCounter()
			.count()).isZero();
		assertThat(gauge("mongodb.lb.services", "tracked")).isEqualTo(2);
		assertThat(gauge("mongodb.lb.services", "untracked")).isZero();
		for (Meter meter : this.registry.getMeters()) {
			assertThat(meter.getId().getDescription()).as(meter.getId().toString()).isNotBlank();
			assertThat(meter.getId().getTag("cluster.id")).as(meter.getId().toString()).isEqualTo(CLUSTER.getValue());
		}
	}

	@Test
	void anEvictedServiceLeavesTheRegistryAndAServiceThatComesBackGetsFreshMeters() {
		new LoadBalancedMeterBinder(this.topology).bindTo(this.registry);
		ObjectId a = new ObjectId();
		ObjectId b = new ObjectId();
		ObjectId c = new ObjectId();
		open(1);
		succeed(1, a, 1);
		close(1);
		this.clock.advance(Duration.ofSeconds(5));
		open(2);
		succeed(2, b, 1);
		open(3);
		succeed(3, c, 1);
		// a was idle longest with no connection: evicted at the bound of 2.
		assertThat(serviceIds("mongodb.lb.commands")).containsExactlyInAnyOrder(b.toHexString(), c.toHexString());
		assertThat(serviceIds("mongodb.lb.connections")).containsExactlyInAnyOrder(b.toHexString(), c.toHexString());
		assertThat(serviceIds("mongodb.lb.pool.clears")).containsExactlyInAnyOrder(b.toHexString(), c.toHexString());
		assertThat(this.registry.get("mongodb.lb.services.evicted").functionCounter().count()).isOne();
		close(2);
		this.clock.advance(Duration.ofSeconds(5));
		open(4);
		succeed(4, a, 1);
		assertThat(serviceIds("mongodb.lb.commands")).containsExactlyInAnyOrder(a.toHexString(), c.toHexString());
		assertThat(timer(a, "success").count()).as("fresh meters").isOne();
	}

	@Test
	void servicesRefusedAtTheBoundAreCountedNotMeasured() {
		new LoadBalancedMeterBinder(this.topology).bindTo(this.registry);
		open(1);
		open(2);
		open(3);
		succeed(1, new ObjectId(), 1);
		succeed(2, new ObjectId(), 1);
		ObjectId refused = new ObjectId();
		succeed(3, refused, 1);
		succeed(3, refused, 1);
		assertThat(gauge("mongodb.lb.services", "tracked")).isEqualTo(2);
		assertThat(gauge("mongodb.lb.services", "untracked")).isOne();
		assertThat(this.registry.get("mongodb.lb.commands.untracked").functionCounter().count()).isEqualTo(2);
		assertThat(serviceIds("mongodb.lb.commands")).doesNotContain(refused.toHexString()).hasSize(2);
	}

	@Test
	void idleServicesWithoutConnectionsExpireAndTheirMetersLeaveEveryRegistryOfAComposite() {
		CompositeMeterRegistry composite = new CompositeMeterRegistry();
		SimpleMeterRegistry child = new SimpleMeterRegistry();
		composite.add(child);
		int baseline = child.getMeters().size();
		new LoadBalancedMeterBinder(this.topology).bindTo(composite);
		ObjectId idle = new ObjectId();
		ObjectId busy = new ObjectId();
		open(1);
		succeed(1, idle, 1);
		close(1);
		open(2);
		succeed(2, busy, 1);
		assertThat(serviceIds(child, "mongodb.lb.commands")).hasSize(2);
		this.clock.advance(Duration.ofMinutes(59));
		assertThat(this.topology.expireIdleServices(Duration.ofHours(1))).isZero();
		this.clock.advance(Duration.ofMinutes(2));
		// The busy service has an open connection: it stays however long it is idle.
		assertThat(this.topology.expireIdleServices(Duration.ofHours(1))).isOne();
		assertThat(serviceIds(child, "mongodb.lb.commands")).containsExactly(busy.toHexString());
		assertThat(serviceIds(composite, "mongodb.lb.commands")).containsExactly(busy.toHexString());
		assertThat(this.topology.snapshot().services()).extracting((service) -> service.serviceId())
			.containsExactly(busy);
		assertThat(composite.get("mongodb.lb.services.evicted").functionCounter().count()).isOne();
		this.topology.clusterListener().clusterClosed(new ClusterClosedEvent(CLUSTER));
		assertThat(child.getMeters()).as("every meter goes when the topology closes").hasSize(baseline);
		assertThat(composite.getMeters()).isEmpty();
	}

	@Test
	void aBinderBoundLateSeesTheServicesAlreadyTracked() {
		ObjectId a = new ObjectId();
		this.topology.clusterListener().clusterOpening(new ClusterOpeningEvent(CLUSTER));
		open(1);
		succeed(1, a, 1);
		new LoadBalancedMeterBinder(this.topology).bindTo(this.registry);
		succeed(1, a, 1);
		assertThat(timer(a, "success").count()).isOne();
		assertThat(gauge("mongodb.lb.services", "tracked")).isOne();
	}

	@Test
	void twoRegistriesGetTheirOwnMeters() {
		SimpleMeterRegistry other = new SimpleMeterRegistry();
		LoadBalancedMeterBinder binder = new LoadBalancedMeterBinder(this.topology);
		binder.bindTo(this.registry);
		binder.bindTo(other);
		ObjectId a = new ObjectId();
		open(1);
		succeed(1, a, 1);
		assertThat(timer(a, "success").count()).isOne();
		assertThat(other.get("mongodb.lb.commands")
			.tag("service.id", a.toHexString())
			.tag("status", "success")
			.timer()
			.count()).isOne();
	}

	private void open(long id) {
		this.topology.connectionPoolListener().connectionCreated(new ConnectionCreatedEvent(connectionId(id)));
		this.topology.connectionPoolListener()
			.connectionCheckedOut(new ConnectionCheckedOutEvent(connectionId(id), 1, 0));
	}

	private void close(long id) {
		this.topology.connectionPoolListener()
			.connectionClosed(new ConnectionClosedEvent(connectionId(id), ConnectionClosedEvent.Reason.STALE));
	}

	private void succeed(long connection, ObjectId serviceId, long elapsedMillis) {
		this.topology.commandListener()
			.commandSucceeded(new CommandSucceededEvent(null, 1, 1, description(connection, serviceId), "app", "find",
					new BsonDocument(), TimeUnit.MILLISECONDS.toNanos(elapsedMillis)));
	}

	private void fail(long connection, ObjectId serviceId, long elapsedMillis) {
		this.topology.commandListener()
			.commandFailed(new CommandFailedEvent(null, 1, 1, description(connection, serviceId), "app", "find",
					TimeUnit.MILLISECONDS.toNanos(elapsedMillis),
					new MongoSocketReadException("connection reset", SERVER.getAddress())));
	}

	private Timer timer(ObjectId serviceId, String status) {
		return this.registry.get("mongodb.lb.commands")
			.tag("service.id", serviceId.toHexString())
			.tag("status", status)
			.timer();
	}

	private double connections(ObjectId serviceId, String state) {
		return this.registry.get("mongodb.lb.connections")
			.tag("service.id", serviceId.toHexString())
			.tag("state", state)
			.gauge()
			.value();
	}

	private double gauge(String name, String state) {
		Gauge gauge = this.registry.get(name).tag("state", state).gauge();
		return gauge.value();
	}

	private Set<String> serviceIds(String name) {
		return serviceIds(this.registry, name);
	}

	private static Set<String> serviceIds(MeterRegistry registry, String name) {
		return registry.find(name)
			.meters()
			.stream()
			.map((meter) -> meter.getId().getTag("service.id"))
			.collect(Collectors.toSet());
	}

	private static ConnectionId connectionId(long id) {
		return new ConnectionId(SERVER, id, null);
	}

	private static ConnectionDescription description(long connection, ObjectId serviceId) {
		return new ConnectionDescription(serviceId, new ConnectionId(SERVER, connection, 40_000 + connection), 21,
				ServerType.LOAD_BALANCER, 1000, 16_000_000, 48_000_000, List.of(), new BsonArray());
	}

}
