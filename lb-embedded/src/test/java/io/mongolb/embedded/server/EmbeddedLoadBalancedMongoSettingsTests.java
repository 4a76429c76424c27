package io.mongolb.embedded.server;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.proxy.ProxyProtocolVersion;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The settings record is the one place the options are checked: the builder reports an
 * invalid value at once, with the record's message, which names the option, the value and
 * what is accepted.
 */
class EmbeddedLoadBalancedMongoSettingsTests {

	private static final String DATABASE_RULE = "database must be a MongoDB database name: 1 to 63 characters, "
			+ "none of / \\ . space \" $ * < > : | ? or NUL, was ";

	static Stream<Arguments> invalidValues() {
		return Stream.of(
				invalid("fronts must be at least 1, was 0", (settings) -> settings.withFronts(0),
						(builder) -> builder.fronts(0)),
				invalid("transactionLifetimeLimit must be positive, was PT0S",
						(settings) -> settings.withTransactionLifetimeLimit(Duration.ZERO),
						(builder) -> builder.transactionLifetimeLimit(Duration.ZERO)),
				invalid("transactionLifetimeLimit must be positive, was null",
						(settings) -> settings.withTransactionLifetimeLimit(null),
						(builder) -> builder.transactionLifetimeLimit(null)),
				invalid("blockedWriteTimeout must be positive, was PT-0.001S",
						(settings) -> settings.withBlockedWriteTimeout(Duration.ofMillis(-1)),
						(builder) -> builder.blockedWriteTimeout(Duration.ofMillis(-1))),
				invalid("proxyProtocol must be V1 or V2, was null", (settings) -> settings.withProxyProtocol(null),
						(builder) -> builder.proxyProtocol(null)),
				invalid("balancerPort must be between 0 and 65535 (0 picks a free port), was 70000",
						(settings) -> settings.withBalancerPort(70000), (builder) -> builder.balancerPort(70000)),
				invalid("balancerPort must be between 0 and 65535 (0 picks a free port), was -1",
						(settings) -> settings.withBalancerPort(-1), (builder) -> builder.balancerPort(-1)),
				invalid("maxWireVersion must be at least 13 (MongoDB 5.0, the first version with load-balancer "
						+ "support), was 12", (settings) -> settings.withMaxWireVersion(12),
						(builder) -> builder.maxWireVersion(12)),
				invalid("proxyHeaderTimeout must be positive, was PT0S",
						(settings) -> settings.withProxyHeaderTimeout(Duration.ZERO),
						(builder) -> builder.proxyHeaderTimeout(Duration.ZERO)),
				invalid("proxyHeaderTimeout must be positive, was PT-1S",
						(settings) -> settings.withProxyHeaderTimeout(Duration.ofSeconds(-1)),
						(builder) -> builder.proxyHeaderTimeout(Duration.ofSeconds(-1))),
				invalid("proxyHeaderTimeout must be positive, was null",
						(settings) -> settings.withProxyHeaderTimeout(null),
						(builder) -> builder.proxyHeaderTimeout(null)),
				invalid("eventLoopThreads must be at least 1, was 0", (settings) -> settings.withEventLoopThreads(0),
						(builder) -> builder.eventLoopThreads(0)),
				invalid(DATABASE_RULE + "''", (settings) -> settings.withDatabase(""),
						(builder) -> builder.database("")),
				invalid(DATABASE_RULE + "null", (settings) -> settings.withDatabase(null),
						(builder) -> builder.database(null)),
				invalid(DATABASE_RULE + "'orders/2024'", (settings) -> settings.withDatabase("orders/2024"),
						(builder) -> builder.database("orders/2024")),
				invalid(DATABASE_RULE + "'a.b'", (settings) -> settings.withDatabase("a.b"),
						(builder) -> builder.database("a.b")),
				invalid(DATABASE_RULE + "'what?'", (settings) -> settings.withDatabase("what?"),
						(builder) -> builder.database("what?")),
				invalid(DATABASE_RULE + "'" + "d".repeat(64) + "'", (settings) -> settings.withDatabase("d".repeat(64)),
						(builder) -> builder.database("d".repeat(64))));
	}

	private static Arguments invalid(String message, UnaryOperator<EmbeddedLoadBalancedMongoSettings> settings,
			Consumer<EmbeddedLoadBalancedMongo.Builder> builder) {
		return Arguments.of(message, settings, builder);
	}

	@ParameterizedTest
	@MethodSource("invalidValues")
	void invalidValueIsRefusedWithOneMessageWhereverItIsSet(String message,
			UnaryOperator<EmbeddedLoadBalancedMongoSettings> settings,
			Consumer<EmbeddedLoadBalancedMongo.Builder> builder) {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> settings.apply(EmbeddedLoadBalancedMongoSettings.defaults()))
			.withMessage(message);
		assertThatIllegalArgumentException().isThrownBy(() -> builder.accept(EmbeddedLoadBalancedMongo.builder()))
			.withMessage(message);
	}

	@Test
	void defaults() {
		EmbeddedLoadBalancedMongoSettings settings = EmbeddedLoadBalancedMongoSettings.defaults();
		assertThat(settings.fronts()).isEqualTo(2);
		assertThat(settings.proxyProtocol()).isEqualTo(ProxyProtocolVersion.V2);
		assertThat(settings.balancer()).isTrue();
		assertThat(settings.balancerPort()).isZero();
		assertThat(settings.acceptNonLoadBalancedClients()).isFalse();
		assertThat(settings.maxWireVersion()).isEqualTo(21);
		assertThat(settings.proxyHeaderTimeout()).isEqualTo(Duration.ofSeconds(10));
		assertThat(settings.eventLoopThreads()).isGreaterThanOrEqualTo(2);
		assertThat(settings.database()).isEqualTo("test");
		assertThat(settings.transactionLifetimeLimit()).isEqualTo(Duration.ofSeconds(60));
		assertThat(settings.blockedWriteTimeout()).isEqualTo(Duration.ofSeconds(5));
		assertThat(EmbeddedLoadBalancedMongo.builder().build().getSettings()).isEqualTo(settings);
	}

	@Test
	void builderKeepsWhatItWasGiven() {
		EmbeddedLoadBalancedMongoSettings settings = EmbeddedLoadBalancedMongoSettings.defaults()
			.withFronts(3)
			.withProxyProtocol(ProxyProtocolVersion.V1)
			.withBalancer(false)
			.withAcceptNonLoadBalancedClients(true)
			.withMaxWireVersion(25)
			.withProxyHeaderTimeout(Duration.ofMillis(500))
			.withDatabase("orders")
			.withEventLoopThreads(1)
			.withTransactionLifetimeLimit(Duration.ofSeconds(3))
			.withBlockedWriteTimeout(Duration.ofMillis(200));
		EmbeddedLoadBalancedMongo built = EmbeddedLoadBalancedMongo.builder()
			.fronts(3)
			.proxyProtocol(ProxyProtocolVersion.V1)
			.balancer(false)
			.acceptNonLoadBalancedClients(true)
			.maxWireVersion(25)
			.proxyHeaderTimeout(Duration.ofMillis(500))
			.database("orders")
			.eventLoopThreads(1)
			.transactionLifetimeLimit(Duration.ofSeconds(3))
			.blockedWriteTimeout(Duration.ofMillis(200))
			.build();
		assertThat(built.getSettings()).isEqualTo(settings);
		assertThat(EmbeddedLoadBalancedMongo.builder().settings(settings).build().getSettings()).isEqualTo(settings);
	}

	@Nested
	@EmbeddedLoadBalancedMongoTest(fronts = 1, database = "r&d#1")
	class ConnectionString {

		@Test
		void namesTheConfiguredDatabaseEscapedForTheUri(EmbeddedLoadBalancedMongo mongo) {
			String connectionString = mongo.getConnectionString();
			assertThat(connectionString)
				.isEqualTo("mongodb://127.0.0.1:" + mongo.getBalancerPort() + "/r%26d%231?loadBalanced=true");
			assertThat(new com.mongodb.ConnectionString(connectionString).getDatabase()).isEqualTo("r&d#1");
			assertThat(new com.mongodb.ConnectionString(mongo.getConnectionString("orders")).getDatabase())
				.isEqualTo("orders");
			assertThatIllegalArgumentException().isThrownBy(() -> mongo.getConnectionString("a/b"))
				.withMessage(DATABASE_RULE + "'a/b'");
		}

	}

}
