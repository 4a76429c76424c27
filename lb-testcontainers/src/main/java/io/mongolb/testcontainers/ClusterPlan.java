package io.mongolb.testcontainers;

import java.util.ArrayList;
import java.util.List;

/**
 * What the cluster sends to its containers, as data: the command lines of the
 * config-server and shard {@code mongod}s and of each {@code mongos}, the {@code mongosh}
 * scripts that initiate the replica sets and add the shard, the checks that tell when
 * each part is ready, and the HAProxy configuration. Nothing here needs Docker, so that
 * all of it is unit-tested.
 */
final class ClusterPlan {

	static final String CONFIG_REPLICA_SET = "configRs";

	static final String CONFIG_HOST = "configsvr";

	static final int CONFIG_PORT = 27019;

	static final String SHARD_REPLICA_SET = "shard0";

	static final String SHARD_HOST = "shard0";

	static final int SHARD_PORT = 27018;

	static final String MONGOS_HOST_PREFIX = "mongos";

	static final int MONGOS_PORT = 27017;

	static final int MONGOS_LOAD_BALANCER_PORT = 27016;

	static final String HAPROXY_HOST = "haproxy";

	static final int HAPROXY_PORT = 27017;

	static final String HAPROXY_CONFIGURATION_PATH = "/usr/local/etc/haproxy/haproxy.cfg";

	/** What the initiation and add-shard scripts print when they succeeded. */
	static final String DONE = "done";

	private final int mongosCount;

	ClusterPlan(int mongosCount) {
		this.mongosCount = mongosCount;
	}

	int mongosCount() {
		return this.mongosCount;
	}

	/**
	 * The config server: a one-member replica set started with {@code --configsvr}.
	 * @return the command line
	 */
	List<String> configServerCommand() {
		return List.of("mongod", "--configsvr", "--replSet", CONFIG_REPLICA_SET, "--port", String.valueOf(CONFIG_PORT),
				"--bind_ip_all");
	}

	/**
	 * The shard: a one-member replica set started with {@code --shardsvr}.
	 * @return the command line
	 */
	List<String> shardCommand() {
		return List.of("mongod", "--shardsvr", "--replSet", SHARD_REPLICA_SET, "--port", String.valueOf(SHARD_PORT),
				"--bind_ip_all");
	}

	/**
	 * A mongos: its normal port, and the load-balancer port that expects a PROXY protocol
	 * header on every connection and gives each client its serviceId.
	 * @return the command line
	 */
	List<String> mongosCommand() {
		return List.of("mongos", "--configdb", CONFIG_REPLICA_SET + "/" + CONFIG_HOST + ":" + CONFIG_PORT, "--port",
				String.valueOf(MONGOS_PORT), "--bind_ip_all", "--setParameter",
				"loadBalancerPort=" + MONGOS_LOAD_BALANCER_PORT);
	}

	String mongosHost(int index) {
		return MONGOS_HOST_PREFIX + index;
	}

	List<String> mongosHosts() {
		List<String> hosts = new ArrayList<>(this.mongosCount);
		for (int i = 0; i < this.mongosCount; i++) {
			hosts.add(mongosHost(i));
		}
		return hosts;
	}

	/**
	 * Initiates the config-server replica set; prints {@value #DONE} when it is (or
	 * already was) initiated.
	 * @return the script
	 */
	String initiateConfigServerScript() {
		return initiateScript("{_id: '" + CONFIG_REPLICA_SET + "', configsvr: true, members: [{_id: 0, host: '"
				+ CONFIG_HOST + ":" + CONFIG_PORT + "'}]}");
	}

	/**
	 * Initiates the shard replica set; prints {@value #DONE} when it is (or already was)
	 * initiated.
	 * @return the script
	 */
	String initiateShardScript() {
		return initiateScript("{_id: '" + SHARD_REPLICA_SET + "', members: [{_id: 0, host: '" + SHARD_HOST + ":"
				+ SHARD_PORT + "'}]}");
	}

	private static String initiateScript(String config) {
		return "try { const r = rs.initiate(" + config + "); print(r.ok === 1 ? '" + DONE
				+ "' : 'rs.initiate answered ' + tojson(r)); } catch (e) { print(e.codeName === 'AlreadyInitialized' ? '"
				+ DONE + "' : 'rs.initiate failed: ' + e.message); }";
	}

	/**
	 * Prints {@code primary} once the member it runs on is the writable primary.
	 * @return the script
	 */
	String primaryScript() {
		return "print(db.hello().isWritablePrimary ? 'primary' : 'not primary yet')";
	}

	/**
	 * Adds the shard through a mongos; prints {@value #DONE} once added (adding it again
	 * is accepted by mongos).
	 * @return the script
	 */
	String addShardScript() {
		return "try { const r = sh.addShard('" + SHARD_REPLICA_SET + "/" + SHARD_HOST + ":" + SHARD_PORT
				+ "'); print(r.ok === 1 ? '" + DONE + "' : 'sh.addShard answered ' + tojson(r)); }"
				+ " catch (e) { print('sh.addShard failed: ' + e.message); }";
	}

	/**
	 * Prints the ids of the shards a mongos knows, comma separated.
	 * @return the script
	 */
	String listShardsScript() {
		return "print(db.adminCommand({listShards: 1}).shards.map((s) => s._id).join(','))";
	}

	/**
	 * Prints {@code mongos} when the process it runs on is a mongos that answers.
	 * @return the script
	 */
	String mongosAnswersScript() {
		return "const h = db.hello(); print(h.msg === 'isdbgrid' ? 'mongos' : 'not a mongos: ' + tojson(h))";
	}

	/**
	 * The {@code mongosh} command line that runs a script against the local process.
	 * @param port the port of the process inside its container
	 * @param script the script
	 * @return the command line
	 */
	List<String> shell(int port, String script) {
		return List.of("mongosh", "--quiet", "--norc", "--port", String.valueOf(port), "--eval", script);
	}

	/**
	 * The HAProxy configuration: one TCP frontend, every mongos's load-balancer port
	 * behind it with {@code send-proxy-v2} and a health check.
	 * @return the contents of {@code haproxy.cfg}
	 */
	String haproxyConfiguration() {
		StringBuilder config = new StringBuilder();
		config.append("# Generated by mongolb's LoadBalancedMongoCluster: ")
			.append(this.mongosCount)
			.append(" mongos (loadBalancerPort ")
			.append(MONGOS_LOAD_BALANCER_PORT)
			.append(") behind one TCP frontend.\n");
		config.append("global\n");
		config.append("    maxconn 4096\n\n");
		// Docker's embedded DNS: a mongos that is restarted may come back on another
		// address, and HAProxy follows it.
		config.append("resolvers docker\n");
		config.append("    nameserver dns 127.0.0.11:53\n");
		config.append("    hold valid 1s\n\n");
		config.append("defaults\n");
		config.append("    mode tcp\n");
		config.append("    timeout connect 5s\n");
		// Pooled connections and cursors may stay idle for long: longer than the
		// driver's own timeouts, so that HAProxy is not the one that cuts them.
		config.append("    timeout client 30m\n");
		config.append("    timeout server 30m\n");
		config.append("    timeout check 2s\n");
		config.append("    retries 3\n");
		config.append("    option redispatch\n");
		// init-addr last,libc,none: HAProxy starts even when a mongos's name does not
		// resolve yet (and haproxy -c accepts the file outside Docker's network); the
		// resolvers fill the address in.
		config.append("    default-server init-addr last,libc,none resolvers docker inter 1s fall 2 rise 1\n\n");
		config.append("frontend mongos\n");
		config.append("    bind :").append(HAPROXY_PORT).append('\n');
		config.append("    default_backend mongos\n\n");
		config.append("backend mongos\n");
		config.append("    balance roundrobin\n");
		for (String host : mongosHosts()) {
			// With send-proxy-v2 the check connections start with a PROXY v2 LOCAL
			// header,
			// as the load-balancer port requires.
			config.append("    server ")
				.append(host)
				.append(' ')
				.append(host)
				.append(':')
				.append(MONGOS_LOAD_BALANCER_PORT)
				.append(" send-proxy-v2 check\n");
		}
		return config.toString();
	}

}
