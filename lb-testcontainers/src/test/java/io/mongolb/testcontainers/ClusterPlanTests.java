package io.mongolb.testcontainers;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the cluster sends to its containers, exactly: the command lines and the
 * {@code mongosh} scripts, checked without Docker.
 */
class ClusterPlanTests {

	private final ClusterPlan plan = new ClusterPlan(2);

	@Test
	void configServerIsAOneMemberConfigReplicaSet() {
		assertThat(this.plan.configServerCommand()).containsExactly("mongod", "--configsvr", "--replSet", "configRs",
				"--port", "27019", "--bind_ip_all");
		assertThat(this.plan.initiateConfigServerScript()).isEqualTo("try { const r = rs.initiate({_id: 'configRs',"
				+ " configsvr: true, members: [{_id: 0, host: 'configsvr:27019'}]}); print(r.ok === 1 ? 'done' :"
				+ " 'rs.initiate answered ' + tojson(r)); } catch (e) { print(e.codeName === 'AlreadyInitialized' ?"
				+ " 'done' : 'rs.initiate failed: ' + e.message); }");
	}

	@Test
	void shardIsAOneMemberShardReplicaSet() {
		assertThat(this.plan.shardCommand()).containsExactly("mongod", "--shardsvr", "--replSet", "shard0", "--port",
				"27018", "--bind_ip_all");
		assertThat(this.plan.initiateShardScript()).isEqualTo("try { const r = rs.initiate({_id: 'shard0', members:"
				+ " [{_id: 0, host: 'shard0:27018'}]}); print(r.ok === 1 ? 'done' : 'rs.initiate answered ' +"
				+ " tojson(r)); } catch (e) { print(e.codeName === 'AlreadyInitialized' ? 'done' :"
				+ " 'rs.initiate failed: ' + e.message); }");
	}

	@Test
	void everyMongosHasALoadBalancerPortAndTheConfigServersReplicaSet() {
		assertThat(this.plan.mongosCommand()).containsExactly("mongos", "--configdb", "configRs/configsvr:27019",
				"--port", "27017", "--bind_ip_all", "--setParameter", "loadBalancerPort=27016");
		assertThat(this.plan.mongosHosts()).containsExactly("mongos0", "mongos1");
		assertThat(new ClusterPlan(3).mongosHosts()).containsExactly("mongos0", "mongos1", "mongos2");
	}

	@Test
	void theShardIsAddedByItsReplicaSetAndHost() {
		assertThat(this.plan.addShardScript()).isEqualTo("try { const r = sh.addShard('shard0/shard0:27018');"
				+ " print(r.ok === 1 ? 'done' : 'sh.addShard answered ' + tojson(r)); } catch (e) {"
				+ " print('sh.addShard failed: ' + e.message); }");
		assertThat(this.plan.listShardsScript())
			.isEqualTo("print(db.adminCommand({listShards: 1}).shards.map((s) => s._id).join(','))");
	}

	@Test
	void readinessChecksAskForAPrimaryAndForAMongos() {
		assertThat(this.plan.primaryScript())
			.isEqualTo("print(db.hello().isWritablePrimary ? 'primary' : 'not primary yet')");
		assertThat(this.plan.mongosAnswersScript())
			.isEqualTo("const h = db.hello(); print(h.msg === 'isdbgrid' ? 'mongos' : 'not a mongos: ' + tojson(h))");
	}

	@Test
	void scriptsRunInMongoshAgainstTheLocalPort() {
		assertThat(this.plan.shell(27019, "print(1)")).containsExactly("mongosh", "--quiet", "--norc", "--port",
				"27019", "--eval", "print(1)");
	}

}
