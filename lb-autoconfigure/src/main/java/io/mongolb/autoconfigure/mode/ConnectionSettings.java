package io.mongolb.autoconfigure.mode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

import com.mongodb.ConnectionString;
import com.mongodb.connection.ClusterConnectionMode;
import com.mongodb.connection.ClusterSettings;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.mongodb.autoconfigure.MongoProperties;

/**
 * What the load-balanced rules look at, read from any source of connection settings: a
 * raw connection string (before the driver parses it), a parsed {@link ConnectionString}
 * (with the options of an SRV host's TXT record), an application's own
 * {@code ClusterSettings}, or Spring Boot's host and port properties. Each option says
 * how it is named in its source, its value as written there, and where to change it, so
 * that {@link LoadBalancedRules} words every message once for all sources.
 *
 * @param loadBalanced the {@code loadBalanced} option, if set
 * @param hosts the hosts, when the source lists them (not for an SRV host)
 * @param replicaSet the replica set name, if set
 * @param directConnection the {@code directConnection} option, if set
 * @param srvMaxHosts the {@code srvMaxHosts} option, if set
 * @param address the address a load-balanced client connects to ({@code host:port}, or
 * {@code name (SRV)}), if known
 */
record ConnectionSettings(@Nullable Option<Boolean> loadBalanced, @Nullable Option<List<String>> hosts,
		@Nullable Option<String> replicaSet, @Nullable Option<Boolean> directConnection,
		@Nullable Option<Integer> srvMaxHosts, @Nullable String address) {

	static final String ADDITIONAL_HOSTS_PROPERTY = "spring.mongodb.additional-hosts";

	static final String REPLICA_SET_NAME_PROPERTY = "spring.mongodb.replica-set-name";

	/**
	 * Read a connection string as written, before the driver parses it.
	 * @param raw the connection string
	 * @param origin where it comes from
	 * @return its settings
	 */
	static ConnectionSettings of(RawConnectionString raw, String origin) {
		Boolean loadBalanced = parseBoolean(raw.option("loadBalanced"));
		Boolean directConnection = parseBoolean(raw.option("directConnection"));
		Integer srvMaxHosts = parseInteger(raw.option("srvMaxHosts"));
		String replicaSet = raw.option("replicaSet");
		return new ConnectionSettings(
				(loadBalanced != null) ? option("loadBalanced", loadBalanced, raw.option("loadBalanced"), origin)
						: null,
				raw.srv() ? null : option("hosts", raw.hosts(), String.join(",", raw.hosts()), origin),
				(replicaSet != null) ? option("replicaSet", replicaSet, replicaSet, origin) : null,
				(directConnection != null)
						? option("directConnection", directConnection, raw.option("directConnection"), origin) : null,
				(srvMaxHosts != null) ? option("srvMaxHosts", srvMaxHosts, raw.option("srvMaxHosts"), origin) : null,
				raw.hosts().isEmpty() ? null : raw.hosts().get(0) + (raw.srv() ? " (SRV)" : ""));
	}

	/**
	 * Read a connection string the driver has parsed (for {@code mongodb+srv}, after its
	 * TXT record was read).
	 * @param connectionString the parsed connection string
	 * @param raw the same string as written, when known, to show options as they were
	 * written
	 * @param origins where each option (by name) comes from
	 * @return its settings
	 */
	static ConnectionSettings of(ConnectionString connectionString, @Nullable RawConnectionString raw,
			UnaryOperator<String> origins) {
		Boolean loadBalanced = connectionString.isLoadBalanced();
		Boolean directConnection = connectionString.isDirectConnection();
		Integer srvMaxHosts = connectionString.getSrvMaxHosts();
		String replicaSet = connectionString.getRequiredReplicaSetName();
		List<String> hosts = connectionString.getHosts();
		boolean srv = connectionString.isSrvProtocol();
		return new ConnectionSettings(
				(loadBalanced != null) ? parsed("loadBalanced", loadBalanced, raw, origins) : null,
				srv ? null : option("hosts", hosts, String.join(",", hosts), origins.apply("hosts")),
				(replicaSet != null) ? parsed("replicaSet", replicaSet, raw, origins) : null,
				(directConnection != null) ? parsed("directConnection", directConnection, raw, origins) : null,
				(srvMaxHosts != null) ? parsed("srvMaxHosts", srvMaxHosts, raw, origins) : null,
				hosts.get(0) + (srv ? " (SRV)" : ""));
	}

	/**
	 * Read the cluster settings of an application's own {@code MongoClientSettings}.
	 * @param cluster the cluster settings
	 * @param origin how to name the settings, e.g.
	 * {@code the MongoClientSettings bean 'settings'}
	 * @return their settings
	 */
	static ConnectionSettings of(ClusterSettings cluster, String origin) {
		ClusterConnectionMode mode = cluster.getMode();
		List<String> hosts = cluster.getHosts().stream().map(String::valueOf).toList();
		String srvHost = cluster.getSrvHost();
		String replicaSet = cluster.getRequiredReplicaSetName();
		Integer srvMaxHosts = cluster.getSrvMaxHosts();
		return new ConnectionSettings(
				(mode == ClusterConnectionMode.LOAD_BALANCED) ? option("mode", true, mode.name(), origin) : null,
				(srvHost != null) ? null : option("hosts", hosts, String.join(",", hosts), origin),
				(replicaSet != null) ? option("requiredReplicaSetName", replicaSet, replicaSet, origin) : null,
				// What directConnection=true sets; the rules word it as the option users
				// know.
				(mode == ClusterConnectionMode.SINGLE)
						? option("directConnection", true, "true (ClusterConnectionMode.SINGLE)", origin) : null,
				(srvMaxHosts != null) ? option("srvMaxHosts", srvMaxHosts, srvMaxHosts.toString(), origin) : null,
				(srvHost != null) ? srvHost + " (SRV)" : hosts.isEmpty() ? null : hosts.get(0));
	}

	/**
	 * Read Spring Boot's host and port properties (used when {@code spring.mongodb.uri}
	 * is not set). They cannot ask for load-balanced mode themselves.
	 * @param properties the MongoDB properties of Spring Boot
	 * @param propertyOrigins where a property (by name) was set, e.g. a file and line
	 * @return their settings
	 */
	static ConnectionSettings of(MongoProperties properties, UnaryOperator<String> propertyOrigins) {
		List<String> additional = properties.getAdditionalHosts();
		Option<List<String>> hosts = null;
		if (additional != null && !additional.isEmpty()) {
			List<String> all = new ArrayList<>();
			all.add(String.valueOf(properties.getHost()));
			all.addAll(additional);
			hosts = option(ADDITIONAL_HOSTS_PROPERTY, List.copyOf(all), String.join(",", additional),
					"spring.mongodb.host and spring.mongodb.port (without " + ADDITIONAL_HOSTS_PROPERTY + ")");
		}
		String replicaSet = properties.getReplicaSetName();
		return new ConnectionSettings(
				null, hosts, (replicaSet != null && !replicaSet.isBlank()) ? option(REPLICA_SET_NAME_PROPERTY,
						replicaSet, replicaSet, propertyOrigins.apply(REPLICA_SET_NAME_PROPERTY)) : null,
				null, null, null);
	}

	private static <T> Option<T> option(String name, T value, @Nullable String shown, String origin) {
		return new Option<>(name, value, (shown != null) ? shown : String.valueOf(value), origin);
	}

	private static <T> Option<T> parsed(String name, T value, @Nullable RawConnectionString raw,
			UnaryOperator<String> origins) {
		String written = (raw != null) ? raw.option(name) : null;
		return option(name, value, (written != null) ? written : String.valueOf(value), origins.apply(name));
	}

	/**
	 * Read a boolean option the way the driver does: {@code true}, {@code yes} and
	 * {@code 1} are true; {@code false}, {@code no} and {@code 0} are false; anything
	 * else is ignored.
	 * @param value the raw value
	 * @return the value, or {@code null} when absent or not recognised
	 */
	static @Nullable Boolean parseBoolean(@Nullable String value) {
		if (value == null) {
			return null;
		}
		return switch (value.trim().toLowerCase(Locale.ROOT)) {
			case "true", "yes", "1" -> Boolean.TRUE;
			case "false", "no", "0" -> Boolean.FALSE;
			default -> null;
		};
	}

	private static @Nullable Integer parseInteger(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			return Integer.valueOf(value.trim());
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	/**
	 * One option of a source.
	 *
	 * @param <T> the type of its value
	 * @param name how the source names it, e.g. {@code replicaSet} or
	 * {@code spring.mongodb.replica-set-name}
	 * @param value its value
	 * @param shown its value as written in the source, never a credential
	 * @param origin where to change it, e.g. {@code spring.mongodb.uri} or a DNS TXT
	 * record
	 */
	record Option<T>(String name, T value, String shown, String origin) {

	}

}
