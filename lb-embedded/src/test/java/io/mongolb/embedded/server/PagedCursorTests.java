package io.mongolb.embedded.server;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.support.PinnedCursorScenario;
import io.mongolb.embedded.support.WireClient;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code aggregate}, {@code listCollections} and {@code listIndexes} page their results
 * into real cursors as {@code find} does: the real driver through the in-process balancer
 * sees them pinned to their connection; on the wire, batch sizes are honoured and a
 * load-balanced client's disconnect kills them.
 */
@EmbeddedLoadBalancedMongoTest(fronts = 2, changeStreams = true)
class PagedCursorTests {

	private static EmbeddedLoadBalancedMongo mongo;

	@BeforeAll
	static void prepare() {
		PinnedCursorScenario.prepare(mongo.getConnectionString());
	}

	@ParameterizedTest
	@EnumSource(PinnedCursorScenario.Kind.class)
	void cursorIsPinnedToItsConnectionUntilDone(PinnedCursorScenario.Kind kind) {
		PinnedCursorScenario.run(mongo.getConnectionString(), kind, mongo.getServiceIds());
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(mongo.getOpenCursors(0) + mongo.getOpenCursors(1)).isZero());
	}

	@Test
	void batchSizesAreHonouredOnTheWire() throws IOException {
		try (WireClient client = new WireClient(mongo.getPort(0))) {
			BsonDocument first = client.command(aggregate(2));
			BsonDocument cursor = first.getDocument("cursor");
			assertThat(cursor.getArray("firstBatch")).hasSize(2);
			long id = cursor.getInt64("id").getValue();
			assertThat(id).isNotZero();
			BsonDocument next = client.command(getMore(id, 3, "items"));
			assertThat(next.getDocument("cursor").getArray("nextBatch")).hasSize(3);
			assertThat(next.getDocument("cursor").getInt64("id").getValue()).isEqualTo(id);
			// Without batchSize, getMore takes the rest.
			BsonDocument rest = client
				.command(new BsonDocument("getMore", new BsonInt64(id)).append("collection", new BsonString("items"))
					.append("$db", new BsonString("pinned")));
			assertThat(rest.getDocument("cursor").getArray("nextBatch")).hasSize(PinnedCursorScenario.SIZE - 5);
			assertThat(rest.getDocument("cursor").getInt64("id").getValue()).isZero();

			// batchSize 0: an empty first batch and a cursor, as on mongod.
			BsonDocument empty = client.command(aggregate(0)).getDocument("cursor");
			assertThat(empty.getArray("firstBatch")).isEmpty();
			long emptyId = empty.getInt64("id").getValue();
			assertThat(emptyId).isNotZero();
			assertThat(client.command(getMore(emptyId, 100, "items")).getDocument("cursor").getArray("nextBatch"))
				.hasSize(PinnedCursorScenario.SIZE);

			// Without cursor.batchSize: all of a small result at once, no cursor left.
			BsonDocument whole = client
				.command(new BsonDocument("aggregate", new BsonString("items")).append("pipeline", new BsonArray())
					.append("cursor", new BsonDocument())
					.append("$db", new BsonString("pinned")))
				.getDocument("cursor");
			assertThat(whole.getArray("firstBatch")).hasSize(PinnedCursorScenario.SIZE);
			assertThat(whole.getInt64("id").getValue()).isZero();

			BsonDocument collections = client
				.command(new BsonDocument("listCollections", new BsonInt32(1))
					.append("cursor", new BsonDocument("batchSize", new BsonInt32(3)))
					.append("$db", new BsonString("pinned")))
				.getDocument("cursor");
			assertThat(collections.getArray("firstBatch")).hasSize(3);
			assertThat(collections.getString("ns").getValue()).isEqualTo("pinned.$cmd.listCollections");
			BsonDocument moreCollections = client
				.command(getMore(collections.getInt64("id").getValue(), 100, "$cmd.listCollections"))
				.getDocument("cursor");
			assertThat(moreCollections.getArray("nextBatch"))
				.hasSizeGreaterThanOrEqualTo(PinnedCursorScenario.SIZE - 3);
			assertThat(moreCollections.getInt64("id").getValue()).isZero();

			BsonDocument filtered = client
				.command(new BsonDocument("listCollections", new BsonInt32(1))
					.append("filter", new BsonDocument("name", new BsonString("other3")))
					.append("$db", new BsonString("pinned")))
				.getDocument("cursor");
			assertThat(filtered.getArray("firstBatch")).singleElement()
				.satisfies((description) -> assertThat(description.asDocument().getString("name").getValue())
					.isEqualTo("other3"));

			BsonDocument negative = client.command(aggregate(-1));
			assertThat(negative.getNumber("ok").intValue()).isZero();
			assertThat(negative.getInt32("code").getValue()).isEqualTo(2);
		}
	}

	@ParameterizedTest
	@EnumSource(value = PinnedCursorScenario.Kind.class, names = "FIND", mode = EnumSource.Mode.EXCLUDE)
	void disconnectOfALoadBalancedClientKillsItsCursor(PinnedCursorScenario.Kind kind) throws IOException {
		try (MongoClient admin = MongoClients.create(mongo.getFrontConnectionString(0))) {
			long before = storeOpenCursors(admin);
			long frontBefore = openCursorsInServerStatus(admin);
			long cursorId;
			try (WireClient client = new WireClient(mongo.getLoadBalancerPort(0))) {
				client.send(WireClient.v2ProxyHeader());
				client.command(new BsonDocument("hello", new BsonInt32(1)).append("loadBalanced", BsonBoolean.TRUE)
					.append("$db", new BsonString("admin")));
				BsonDocument reply = client.command(opening(kind));
				assertThat(reply.getNumber("ok").intValue()).as("%s", reply).isOne();
				cursorId = reply.getDocument("cursor").getInt64("id").getValue();
				assertThat(cursorId).isNotZero();
				assertThat(storeOpenCursors(admin)).isEqualTo(before + 1);
				assertThat(openCursorsInServerStatus(admin)).isEqualTo(frontBefore + 1);
			}
			await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(storeOpenCursors(admin)).isEqualTo(before));
			assertThat(openCursorsInServerStatus(admin)).isEqualTo(frontBefore);
			try (WireClient other = new WireClient(mongo.getPort(1))) {
				BsonDocument getMore = other.command(getMore(cursorId, 2, "items"));
				assertThat(getMore.getNumber("ok").doubleValue()).isZero();
				assertThat(getMore.getInt32("code").getValue()).isEqualTo(43);
			}
		}
	}

	private static BsonDocument opening(PinnedCursorScenario.Kind kind) {
		BsonDocument batchOfOne = new BsonDocument("batchSize", new BsonInt32(1));
		return switch (kind) {
			case AGGREGATE -> aggregate(1);
			case LIST_COLLECTIONS -> new BsonDocument("listCollections", new BsonInt32(1)).append("cursor", batchOfOne)
				.append("$db", new BsonString("pinned"));
			case LIST_INDEXES -> new BsonDocument("listIndexes", new BsonString("items")).append("cursor", batchOfOne)
				.append("$db", new BsonString("pinned"));
			default -> new BsonDocument("aggregate", new BsonString("items"))
				.append("pipeline", new BsonArray(List.of(new BsonDocument("$changeStream", new BsonDocument()))))
				.append("cursor", new BsonDocument())
				.append("$db", new BsonString("pinned"));
		};
	}

	private static BsonDocument aggregate(int batchSize) {
		return new BsonDocument("aggregate", new BsonString("items"))
			.append("pipeline",
					new BsonArray(List.of(new BsonDocument("$sort", new BsonDocument("_id", new BsonInt32(1))))))
			.append("cursor", new BsonDocument("batchSize", new BsonInt32(batchSize)))
			.append("$db", new BsonString("pinned"));
	}

	private static BsonDocument getMore(long cursorId, int batchSize, String collection) {
		return new BsonDocument("getMore", new BsonInt64(cursorId)).append("collection", new BsonString(collection))
			.append("batchSize", new BsonInt32(batchSize))
			.append("$db", new BsonString("pinned"));
	}

	private static long storeOpenCursors(MongoClient admin) {
		Document status = admin.getDatabase("admin").runCommand(new Document("serverStatus", 1));
		return status.get("mongolbEmbedded", Document.class).get("storeOpenCursors", Number.class).longValue();
	}

	private static long openCursorsInServerStatus(MongoClient admin) {
		Document status = admin.getDatabase("admin").runCommand(new Document("serverStatus", 1));
		return status.get("metrics", Document.class)
			.get("cursor", Document.class)
			.get("open", Document.class)
			.get("total", Number.class)
			.longValue();
	}

}
