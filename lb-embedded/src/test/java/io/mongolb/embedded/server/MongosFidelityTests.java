package io.mongolb.embedded.server;

import java.util.List;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Small things a driver or an application sees where the embedded fronts used to differ
 * from mongos: filters rejected whatever the data, the session commands accepted,
 * {@code buildInfo} matching {@code maxWireVersion}, a missing collection's drop answered
 * quietly.
 */
@ExtendWith(OutputCaptureExtension.class)
@EmbeddedLoadBalancedMongoTest(fronts = 2)
class MongosFidelityTests {

	private static EmbeddedLoadBalancedMongo mongo;

	@Test
	void badFilterFailsOnAnEmptyCollectionAsOnMongod(CapturedOutput output) {
		try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			MongoCollection<Document> empty = client.getDatabase("fidelity").getCollection("empty");
			for (Document filter : List.of(new Document("$or", true), new Document("a", 1).append("$and", List.of()),
					new Document("$nor", List.of(new Document("$or", "x"))))) {
				assertThatThrownBy(() -> empty.find(filter).first()).as("find %s", filter)
					.isInstanceOfSatisfying(MongoCommandException.class, (ex) -> {
						assertThat(ex.getErrorCode()).isEqualTo(2);
						assertThat(ex.getErrorCodeName()).isEqualTo("BadValue");
					});
				assertThatThrownBy(() -> empty.countDocuments(filter)).as("countDocuments %s", filter)
					.isInstanceOfSatisfying(MongoCommandException.class,
							(ex) -> assertThat(ex.getErrorCode()).isEqualTo(2));
			}
			Document count = new Document("count", "empty").append("query", new Document("$or", true));
			assertThatThrownBy(() -> client.getDatabase("fidelity").runCommand(count)).isInstanceOfSatisfying(
					MongoCommandException.class, (ex) -> assertThat(ex.getErrorCode()).isEqualTo(2));
			// Valid filters still work, on empty and non-empty collections alike.
			assertThat(empty.find(Filters.or(Filters.eq("a", 1), Filters.exists("b"))).first()).isNull();
			MongoCollection<Document> full = client.getDatabase("fidelity").getCollection("full");
			full.insertOne(new Document("_id", 1).append("a", 1));
			assertThat(full.countDocuments(Filters.or(Filters.eq("a", 1), Filters.eq("a", 2)))).isOne();
		}
		assertThat(output.getOut()).doesNotContain("failed to handle");
	}

	@Test
	void sessionCommandsAreAccepted() {
		try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			for (Document command : List.of(new Document("killAllSessions", List.of()),
					new Document("endSessions", List.of()), new Document("killSessions", List.of()),
					new Document("refreshSessions", List.of()))) {
				assertThat(client.getDatabase("admin").runCommand(command).get("ok", Number.class).intValue())
					.as("%s", command)
					.isOne();
			}
		}
	}

	@Test
	void droppingAMissingCollectionAnswersOkQuietlyAsMongos(CapturedOutput output) {
		try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			// mongos answers ok: 1 for a collection that does not exist (SERVER-36317).
			Document reply = client.getDatabase("fidelity").runCommand(new Document("drop", "missing"));
			assertThat(reply.get("ok")).isEqualTo(1.0);
			client.getDatabase("never").getCollection("created").drop();
			// An existing collection is dropped as before.
			client.getDatabase("fidelity").getCollection("dropped").insertOne(new Document());
			client.getDatabase("fidelity").getCollection("dropped").drop();
			assertThat(client.getDatabase("fidelity").listCollectionNames()).doesNotContain("dropped");
		}
		assertThat(output.getOut()).doesNotContain(" ERROR ").doesNotContain("ns not found");
	}

	@ParameterizedTest
	@CsvSource({ "13, 5.0.0", "17, 6.0.0", "20, 6.3.0", "21, 7.0.0", "24, 7.3.0", "25, 8.0.0", "26, 8.1.0", "27, 8.2.0",
			"30, 8.2.0" })
	void buildInfoMatchesTheMaxWireVersion(int maxWireVersion, String version) {
		try (EmbeddedLoadBalancedMongo cluster = EmbeddedLoadBalancedMongo.builder()
			.fronts(1)
			.balancer(false)
			.maxWireVersion(maxWireVersion)
			.start(); MongoClient client = MongoClients.create(cluster.getFrontConnectionString(0))) {
			Document buildInfo = client.getDatabase("admin").runCommand(new Document("buildInfo", 1));
			assertThat(buildInfo.getString("version")).isEqualTo(version);
			String[] parts = version.split("\\.");
			assertThat(buildInfo.getList("versionArray", Integer.class)).containsExactly(Integer.valueOf(parts[0]),
					Integer.valueOf(parts[1]), 0, 0);
			Document status = client.getDatabase("admin").runCommand(new Document("serverStatus", 1));
			assertThat(status.getString("version")).isEqualTo(version);
			Document hello = client.getDatabase("admin").runCommand(new Document("hello", 1));
			assertThat(hello.getInteger("maxWireVersion")).isEqualTo(maxWireVersion);
		}
	}

}
