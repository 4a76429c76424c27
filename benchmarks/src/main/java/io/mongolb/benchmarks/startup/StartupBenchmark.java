package io.mongolb.benchmarks.startup;

import java.util.concurrent.TimeUnit;

import com.mongodb.client.MongoClient;
import com.mongodb.connection.ClusterConnectionMode;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.benchmarks.startup.app.StartupApplication;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The time {@code SpringApplication.run} takes to return a refreshed context of a minimal
 * Spring Data MongoDB application ({@link StartupApplication}), with and without the
 * starter. Each measured start is a single shot; the context is closed after it, outside
 * the measurement. With the default warm-up, the JVM has started the application before
 * (a warm start, the classes loaded and partly compiled).
 * <p>
 * Both variants use the embedded balancer's connection string, with
 * {@code loadBalanced=true}: the driver itself runs in load-balanced mode in both, and
 * the only difference is the starter, switched off entirely in the
 * {@code without-starter} variant with {@code mongodb.load-balanced.enabled=false}. After
 * each measured start, outside the measurement, the application is checked to be what it
 * claims: the starter's mode active and its listeners fed (or the starter absent), and a
 * {@code ping} answered through the balancer. With {@code -wi 0 -i 1} and many forks,
 * each measured start is the first one in its JVM (a cold start).
 *
 * @since 0.1.0
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(3)
@State(Scope.Benchmark)
public class StartupBenchmark {

	/**
	 * Which application: {@code with-starter} or {@code without-starter}
	 * ({@code mongodb.load-balanced.enabled=false}).
	 */
	@Param({ "with-starter", "without-starter" })
	public String application;

	private EmbeddedLoadBalancedMongo mongo;

	private String[] args;

	private boolean starter;

	private @Nullable ConfigurableApplicationContext context;

	/**
	 * Start the embedded cluster.
	 */
	@Setup(Level.Trial)
	public void start() {
		this.starter = switch (this.application) {
			case "with-starter" -> true;
			case "without-starter" -> false;
			default -> throw new IllegalArgumentException(
					"Unknown application '" + this.application + "': use with-starter or without-starter");
		};
		this.mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start();
		this.args = new String[] { "--spring.mongodb.uri=" + this.mongo.getConnectionString(),
				"--mongodb.load-balanced.enabled=" + this.starter, "--spring.main.banner-mode=off" };
	}

	private void check(ConfigurableApplicationContext context) {
		MongoClient client = context.getBean(MongoClient.class);
		Document pong = client.getDatabase("admin").runCommand(new Document("ping", 1));
		require(pong.get("ok", Number.class).intValue() == 1, "ping answered " + pong.toJson());
		ClusterConnectionMode mode = client.getClusterDescription().getConnectionMode();
		require(mode == ClusterConnectionMode.LOAD_BALANCED, "the client is in " + mode + " mode");
		String[] modes = context.getBeanNamesForType(LoadBalancedMode.class);
		if (this.starter) {
			require(modes.length == 1 && context.getBean(LoadBalancedMode.class).active(),
					"the starter's load-balanced mode is not active");
			require(!context.getBean(LoadBalancedTopology.class).snapshot().services().isEmpty(),
					"the starter's listeners saw no service");
		}
		else {
			require(modes.length == 0, "the starter is present although disabled");
		}
	}

	/**
	 * Start the application.
	 * @return the refreshed context
	 */
	@Benchmark
	public ConfigurableApplicationContext startApplication() {
		ConfigurableApplicationContext started = run();
		this.context = started;
		return started;
	}

	private ConfigurableApplicationContext run() {
		return new SpringApplication(StartupApplication.class).run(this.args);
	}

	/**
	 * Check the application the last start refreshed, then close it.
	 */
	@TearDown(Level.Invocation)
	public void checkAndCloseApplication() {
		ConfigurableApplicationContext started = this.context;
		if (started != null) {
			this.context = null;
			try {
				check(started);
			}
			finally {
				started.close();
			}
		}
	}

	/**
	 * Stop the embedded cluster.
	 */
	@TearDown(Level.Trial)
	public void stop() {
		this.mongo.close();
	}

	private static void require(boolean condition, String failure) {
		if (!condition) {
			throw new IllegalStateException("Benchmark is not what it claims: " + failure);
		}
	}

}
