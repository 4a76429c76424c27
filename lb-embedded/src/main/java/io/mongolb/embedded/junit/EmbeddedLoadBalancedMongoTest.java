package io.mongolb.embedded.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import io.mongolb.embedded.proxy.ProxyProtocolVersion;
import io.mongolb.embedded.server.EmbeddedBalancer;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongoSettings;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts one {@link EmbeddedLoadBalancedMongo} (fronts plus the in-process balancer)
 * before the tests of the annotated class and closes it after them.
 * <p>
 * The attributes are those of {@link EmbeddedLoadBalancedMongoSettings} and are checked
 * by it: an invalid one fails the class with an {@code ExtensionConfigurationException}
 * that names the class, the option, the value and what is accepted.
 * <p>
 * The cluster is injected into test-method, lifecycle-method and constructor parameters
 * of type {@link EmbeddedLoadBalancedMongo}, and into static or instance fields of that
 * type (non-final, any visibility). {@code @Nested} classes share the cluster of their
 * enclosing class unless they carry this annotation themselves. With
 * {@code lifecycle = Lifecycle.PER_METHOD}, each test method gets a new cluster instead.
 * <p>
 * {@link #balancers()} adds balancers over chosen fronts (see
 * {@link EmbeddedLoadBalancedMongo#addBalancer(int...)}): when there is exactly one, it
 * is also injected into parameters and fields of type {@link EmbeddedBalancer}; with
 * several, take them from {@link EmbeddedLoadBalancedMongo#getBalancers()}.
 * <pre class="code">
 * &#64;EmbeddedLoadBalancedMongoTest(fronts = 2, balancers = &#64;Balancer(fronts = 0))
 * class OneAndSeveralMongosTests {
 *
 *     &#64;Test
 *     void sameData(EmbeddedLoadBalancedMongo mongo, EmbeddedBalancer singleFront) {
 *         // mongo.getConnectionString(): both fronts; singleFront.getConnectionString(): front 0
 *     }
 * }
 * </pre> <pre class="code">
 * &#64;EmbeddedLoadBalancedMongoTest(fronts = 2)
 * class OrderRepositoryTests {
 *
 *     &#64;Test
 *     void saves(EmbeddedLoadBalancedMongo mongo) {
 *         try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
 *             // ...
 *         }
 *     }
 * }
 * </pre>
 *
 * @since 0.1.0
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(EmbeddedLoadBalancedMongoExtension.class)
public @interface EmbeddedLoadBalancedMongoTest {

	/**
	 * The number of mongos-like fronts.
	 * @return the number of fronts
	 * @since 0.1.0
	 */
	int fronts() default EmbeddedLoadBalancedMongoSettings.DEFAULT_FRONTS;

	/**
	 * The PROXY protocol version the in-process balancer writes.
	 * @return the version
	 * @since 0.1.0
	 */
	ProxyProtocolVersion proxyProtocol() default ProxyProtocolVersion.V2;

	/**
	 * Whether to start the in-process balancer. Without it,
	 * {@link EmbeddedLoadBalancedMongo#getConnectionString()} is not available: put a
	 * balancer of your own in front of the load-balancer ports.
	 * @return whether to start the balancer
	 * @since 0.1.0
	 */
	boolean balancer() default true;

	/**
	 * Whether the load-balancer ports accept clients that are not in load-balanced mode
	 * (mongos 7.0.22+ reverse-proxy behaviour).
	 * @return whether ordinary clients are accepted there
	 * @since 0.1.0
	 */
	boolean acceptNonLoadBalancedClients() default false;

	/**
	 * The {@code maxWireVersion} the fronts advertise (at least 13).
	 * @return the wire version
	 * @since 0.1.0
	 */
	int maxWireVersion() default EmbeddedLoadBalancedMongoSettings.DEFAULT_MAX_WIRE_VERSION;

	/**
	 * How long a load-balancer port waits for a complete PROXY protocol header before it
	 * closes the connection, in milliseconds (positive).
	 * @return the timeout in milliseconds
	 * @since 0.1.0
	 */
	long proxyHeaderTimeoutMillis() default EmbeddedLoadBalancedMongoSettings.DEFAULT_PROXY_HEADER_TIMEOUT_MILLIS;

	/**
	 * The database named in {@link EmbeddedLoadBalancedMongo#getConnectionString()}:
	 * {@code test} by default, Spring Boot's default database, so an application
	 * configured with that connection string has a database.
	 * @return the database name
	 * @since 0.1.0
	 */
	String database() default EmbeddedLoadBalancedMongoSettings.DEFAULT_DATABASE;

	/**
	 * Whether change streams work ({@code $changeStream} on collections, databases and
	 * the cluster); off by default.
	 * @return whether they work
	 * @since 0.1.0
	 */
	boolean changeStreams() default false;

	/**
	 * How many change events the store keeps when change streams are on (at least 1).
	 * @return the number of events
	 * @since 0.1.0
	 */
	int changeStreamHistory() default EmbeddedLoadBalancedMongoSettings.DEFAULT_CHANGE_STREAM_HISTORY;

	/**
	 * Additional balancers over chosen fronts, started with the cluster, in this order in
	 * {@link EmbeddedLoadBalancedMongo#getBalancers()}: e.g. one over a single front, for
	 * tests that need exactly one mongos next to the cluster's balancer over all of them.
	 * @return the additional balancers, none by default
	 * @since 0.1.0
	 */
	Balancer[] balancers() default {};

	/**
	 * Whether one cluster serves the whole class or each test method gets a new one.
	 * @return the lifecycle
	 * @since 0.1.0
	 */
	Lifecycle lifecycle() default Lifecycle.PER_CLASS;

	/**
	 * An additional balancer over chosen fronts of the cluster.
	 *
	 * @since 0.1.0
	 */
	@Target({})
	@Retention(RetentionPolicy.RUNTIME)
	@Documented
	@interface Balancer {

		/**
		 * The indexes of the fronts behind the balancer, from 0, each at most once.
		 * @return the front indexes
		 * @since 0.1.0
		 */
		int[] fronts();

	}

	/**
	 * How long a cluster lives.
	 *
	 * @since 0.1.0
	 */
	enum Lifecycle {

		/**
		 * One cluster for the annotated class, started before its first test and closed
		 * after its last one (after {@code @AfterAll}). It can be injected anywhere:
		 * static and instance fields, constructor, lifecycle-method and test-method
		 * parameters.
		 * @since 0.1.0
		 */
		PER_CLASS,

		/**
		 * A new cluster for each test method (each invocation of a parameterized or
		 * repeated test), closed after it (after {@code @AfterEach}): tests that stop
		 * fronts, configure fail points or count connections start clean. It can be
		 * injected into instance fields and into constructor, {@code @BeforeEach},
		 * {@code @AfterEach} and test-method parameters; a static field or a
		 * {@code @BeforeAll} parameter fails the class with an
		 * {@code ExtensionConfigurationException}.
		 * @since 0.1.0
		 */
		PER_METHOD

	}

}
