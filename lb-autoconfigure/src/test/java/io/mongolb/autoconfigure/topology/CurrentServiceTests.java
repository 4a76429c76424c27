package io.mongolb.autoconfigure.topology;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

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
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The thread-local value of {@link CurrentService}, fed through a real
 * {@link LoadBalancedTopology}'s command listener with the driver's own event objects:
 * what a thread reads after a command, how scopes bound it, and the MDC key.
 */
class CurrentServiceTests {

	private static final ServerId SERVER = new ServerId(new ClusterId("current"), new ServerAddress("lb", 27017));

	private final CommandListener listener = new LoadBalancedTopology(32, Duration.ofSeconds(30), 16).commandListener();

	private final ObjectId a = new ObjectId();

	private final ObjectId b = new ObjectId();

	private int connections;

	// Other tests on this thread may have left a value: outside a scope it stays.
	@BeforeEach
	@AfterEach
	void forget() {
		CurrentService.clear();
		MDC.remove(CurrentService.MDC_KEY);
	}

	@Test
	void theValueStaysReadableAfterTheCommandUntilTheNextOneOrClear() {
		assertThat(CurrentService.lastServiceId()).isNull();
		succeeded(this.a);
		assertThat(CurrentService.lastServiceId()).isEqualTo(this.a);
		assertThat(CurrentService.lastServiceId()).isEqualTo(this.a);
		succeeded(this.b);
		assertThat(CurrentService.lastServiceId()).isEqualTo(this.b);
		CurrentService.clear();
		assertThat(CurrentService.lastServiceId()).isNull();
		assertThat(holdsState()).as("nothing left on the thread after clear()").isFalse();
	}

	@Test
	void aFailedCommandNamesItsService() {
		succeeded(this.a);
		failed(this.b);
		assertThat(CurrentService.lastServiceId()).isEqualTo(this.b);
	}

	@Test
	void anotherThreadSeesNothingOfThisOne() throws Exception {
		succeeded(this.a);
		AtomicReference<ObjectId> seen = new AtomicReference<>(this.b);
		CompletableFuture.runAsync(() -> seen.set(CurrentService.lastServiceId())).get();
		assertThat(seen.get()).isNull();
		assertThat(CurrentService.lastServiceId()).isEqualTo(this.a);
	}

	@Test
	void aScopeStartsEmptyAndRestoresTheThreadWhenItCloses() {
		succeeded(this.a);
		try (CurrentService.Scope scope = CurrentService.open()) {
			assertThat(CurrentService.lastServiceId()).isNull();
			assertThat(CurrentService.servicesInScope()).isEmpty();
			succeeded(this.b);
			assertThat(CurrentService.lastServiceId()).isEqualTo(this.b);
		}
		assertThat(CurrentService.lastServiceId()).isEqualTo(this.a);
		assertThat(CurrentService.servicesInScope()).isEmpty();
	}

	@Test
	void aScopeThatIsNotNestedLeavesNothingOnTheThread() {
		try (CurrentService.Scope scope = CurrentService.open()) {
			succeeded(this.a);
			assertThat(holdsState()).isTrue();
		}
		assertThat(CurrentService.lastServiceId()).isNull();
		assertThat(holdsState()).isFalse();
	}

	@Test
	void servicesInScopeNamesEachServiceOnceInTheOrderFirstSeen() {
		try (CurrentService.Scope scope = CurrentService.open()) {
			succeeded(this.a);
			// Another connection to the same mongos: an equal ObjectId, another instance.
			succeeded(new ObjectId(this.a.toHexString()));
			failed(this.b);
			succeeded(this.a);
			assertThat(CurrentService.servicesInScope()).containsExactly(this.a, this.b);
			assertThat(CurrentService.lastServiceId()).isEqualTo(this.a);
		}
	}

	@Test
	void manyServicesInOneScopeAreAllKept() {
		List<ObjectId> services = List.of(new ObjectId(), new ObjectId(), new ObjectId(), new ObjectId(),
				new ObjectId(), new ObjectId(), new ObjectId(), new ObjectId(), new ObjectId());
		try (CurrentService.Scope scope = CurrentService.open()) {
			services.forEach(this::succeeded);
			services.forEach(this::succeeded);
			assertThat(CurrentService.servicesInScope()).containsExactlyElementsOf(services);
		}
	}

	@Test
	void clearInAScopeForgetsItsServicesAndKeepsItOpen() {
		try (CurrentService.Scope scope = CurrentService.openWithMdc()) {
			succeeded(this.a);
			CurrentService.clear();
			assertThat(CurrentService.lastServiceId()).isNull();
			assertThat(CurrentService.servicesInScope()).isEmpty();
			assertThat(MDC.get(CurrentService.MDC_KEY)).isNull();
			succeeded(this.b);
			assertThat(CurrentService.servicesInScope()).containsExactly(this.b);
			assertThat(MDC.get(CurrentService.MDC_KEY)).isEqualTo(this.b.toHexString());
		}
	}

	@Test
	void aNestedScopeStartsEmptyAndHandsItsServicesToTheEnclosingOne() {
		try (CurrentService.Scope outer = CurrentService.open()) {
			succeeded(this.a);
			try (CurrentService.Scope inner = CurrentService.open()) {
				assertThat(CurrentService.lastServiceId()).isNull();
				assertThat(CurrentService.servicesInScope()).isEmpty();
				succeeded(this.b);
				succeeded(this.a);
				assertThat(CurrentService.servicesInScope()).containsExactly(this.b, this.a);
			}
			assertThat(CurrentService.lastServiceId()).isEqualTo(this.a);
			assertThat(CurrentService.servicesInScope()).containsExactly(this.a, this.b);
		}
		assertThat(CurrentService.lastServiceId()).isNull();
	}

	@Test
	void closingAScopeClosesTheScopesLeftOpenInsideIt() {
		CurrentService.Scope outer = CurrentService.openWithMdc();
		succeeded(this.a);
		CurrentService.Scope inner = CurrentService.open();
		succeeded(this.b);
		outer.close();
		assertThat(CurrentService.lastServiceId()).isNull();
		assertThat(MDC.get(CurrentService.MDC_KEY)).isNull();
		assertThat(holdsState()).isFalse();
		// Closing again, in any order, changes nothing.
		inner.close();
		outer.close();
		succeeded(this.a);
		assertThat(CurrentService.lastServiceId()).isEqualTo(this.a);
		assertThat(CurrentService.servicesInScope()).isEmpty();
	}

	@Test
	void aScopeIsClosedOnTheThreadThatOpenedIt() throws Exception {
		try (CurrentService.Scope scope = CurrentService.open()) {
			succeeded(this.a);
			CompletableFuture<Void> elsewhere = CompletableFuture.runAsync(scope::close);
			assertThat(elsewhere).failsWithin(Duration.ofSeconds(10))
				.withThrowableThat()
				.havingRootCause()
				.isInstanceOf(IllegalStateException.class)
				.withMessageContaining("must be closed on the thread that opened it");
			assertThat(CurrentService.lastServiceId()).isEqualTo(this.a);
		}
		assertThat(CurrentService.lastServiceId()).isNull();
	}

	@Test
	void theMdcKeyIsKeptOnlyInAScopeOpenedWithMdc() {
		succeeded(this.a);
		assertThat(MDC.get(CurrentService.MDC_KEY)).as("outside a scope").isNull();
		try (CurrentService.Scope scope = CurrentService.open()) {
			succeeded(this.a);
			assertThat(MDC.get(CurrentService.MDC_KEY)).as("in a scope without MDC").isNull();
		}
		try (CurrentService.Scope scope = CurrentService.openWithMdc()) {
			assertThat(MDC.get(CurrentService.MDC_KEY)).as("before the scope's first command").isNull();
			succeeded(this.a);
			assertThat(MDC.get(CurrentService.MDC_KEY)).isEqualTo(this.a.toHexString());
			failed(this.b);
			assertThat(MDC.get(CurrentService.MDC_KEY)).isEqualTo(this.b.toHexString());
		}
		assertThat(MDC.get(CurrentService.MDC_KEY)).as("after the scope").isNull();
	}

	@Test
	void theMdcIsWrittenWhenTheValueChangesNotOnEveryCommand() {
		try (CurrentService.Scope scope = CurrentService.openWithMdc()) {
			succeeded(this.a);
			String written = MDC.get(CurrentService.MDC_KEY);
			succeeded(this.a);
			succeeded(new ObjectId(this.a.toHexString()));
			assertThat(MDC.get(CurrentService.MDC_KEY)).as("the same text, not a new one").isSameAs(written);
			succeeded(this.b);
			succeeded(this.a);
			assertThat(MDC.get(CurrentService.MDC_KEY)).as("a service's text is made once per scope").isSameAs(written);
			// Something else changed the key: the next command puts it back.
			MDC.put(CurrentService.MDC_KEY, "other");
			succeeded(this.a);
			assertThat(MDC.get(CurrentService.MDC_KEY)).isEqualTo(this.a.toHexString());
		}
	}

	@Test
	void anMdcScopePutsBackTheKeyItFound() {
		MDC.put(CurrentService.MDC_KEY, "set-by-the-application");
		try (CurrentService.Scope scope = CurrentService.openWithMdc()) {
			assertThat(MDC.get(CurrentService.MDC_KEY)).isNull();
			succeeded(this.a);
			assertThat(MDC.get(CurrentService.MDC_KEY)).isEqualTo(this.a.toHexString());
		}
		assertThat(MDC.get(CurrentService.MDC_KEY)).isEqualTo("set-by-the-application");
	}

	@Test
	void aScopeNestedInAnMdcScopeKeepsTheKeyAndRestoresTheEnclosingValue() {
		try (CurrentService.Scope outer = CurrentService.openWithMdc()) {
			succeeded(this.a);
			try (CurrentService.Scope inner = CurrentService.open()) {
				assertThat(MDC.get(CurrentService.MDC_KEY)).isNull();
				succeeded(this.b);
				assertThat(MDC.get(CurrentService.MDC_KEY)).isEqualTo(this.b.toHexString());
			}
			assertThat(MDC.get(CurrentService.MDC_KEY)).isEqualTo(this.a.toHexString());
			assertThat(CurrentService.lastServiceId()).isEqualTo(this.a);
		}
		assertThat(MDC.get(CurrentService.MDC_KEY)).isNull();
	}

	private void succeeded(ObjectId serviceId) {
		this.listener.commandSucceeded(
				new CommandSucceededEvent(null, 1, 1, description(serviceId), "app", "find", new BsonDocument(), 1));
	}

	private void failed(ObjectId serviceId) {
		this.listener.commandFailed(new CommandFailedEvent(null, 1, 1, description(serviceId), "app", "find", 1,
				new MongoSocketReadException("Prematurely reached end of stream", SERVER.getAddress())));
	}

	private ConnectionDescription description(ObjectId serviceId) {
		int connection = ++this.connections;
		return new ConnectionDescription(serviceId, new ConnectionId(SERVER, connection, 9000L + connection), 21,
				ServerType.LOAD_BALANCER, 1000, 16_000_000, 48_000_000, List.of(), new BsonArray());
	}

	private static boolean holdsState() {
		try {
			Field state = CurrentService.class.getDeclaredField("STATE");
			state.setAccessible(true);
			return ((ThreadLocal<?>) state.get(null)).get() != null;
		}
		catch (ReflectiveOperationException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
