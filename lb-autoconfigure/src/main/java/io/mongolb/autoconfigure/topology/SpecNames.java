package io.mongolb.autoconfigure.topology;

import com.mongodb.connection.ClusterType;
import com.mongodb.connection.ServerType;

/**
 * The SDAM specification's names for the driver's topology and server types.
 */
final class SpecNames {

	private SpecNames() {
	}

	static String of(ClusterType type) {
		return switch (type) {
			case LOAD_BALANCED -> "LoadBalanced";
			case SHARDED -> "Sharded";
			case REPLICA_SET -> "ReplicaSet";
			case STANDALONE -> "Single";
			case UNKNOWN -> "Unknown";
		};
	}

	static String of(ServerType type) {
		return switch (type) {
			case LOAD_BALANCER -> "LoadBalancer";
			case SHARD_ROUTER -> "Mongos";
			case STANDALONE -> "Standalone";
			case REPLICA_SET_PRIMARY -> "RSPrimary";
			case REPLICA_SET_SECONDARY -> "RSSecondary";
			case REPLICA_SET_ARBITER -> "RSArbiter";
			case REPLICA_SET_OTHER -> "RSOther";
			case REPLICA_SET_GHOST -> "RSGhost";
			case UNKNOWN -> "Unknown";
		};
	}

}
