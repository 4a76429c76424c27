package io.mongolb.embedded.server;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import io.mongolb.embedded.support.WireClient;
import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The front's cursor bookkeeping stays cheap: a getMore or killCursors looks up only the
 * cursors it names, not every open cursor, and the per-front count stays right.
 */
@EmbeddedLoadBalancedMongoTest(fronts = 1)
class CursorBookkeepingTests {

	private static final int OPEN_CURSORS = 50;

	@Test
	void getMoreAndKillCursorsLookUpOnlyTheCursorsTheyName(EmbeddedLoadBalancedMongo mongo) throws IOException {
		try (WireClient client = new WireClient(mongo.getLoadBalancerPort(0))) {
			client.send(WireClient.v2ProxyHeader());
			client.command(new BsonDocument("hello", new BsonInt32(1)).append("loadBalanced", BsonBoolean.TRUE)
				.append("$db", new BsonString("admin")));
			BsonArray documents = new BsonArray();
			for (int i = 0; i < 10; i++) {
				documents.add(new BsonDocument("_id", new BsonInt32(i)));
			}
			client.command(new BsonDocument("insert", new BsonString("items")).append("documents", documents)
				.append("$db", new BsonString("bookkeeping")));
			List<Long> cursors = new ArrayList<>();
			for (int i = 0; i < OPEN_CURSORS; i++) {
				cursors.add(client.command(find()).getDocument("cursor").getInt64("id").getValue());
			}
			assertThat(mongo.getOpenCursors(0)).isEqualTo(OPEN_CURSORS);

			long lookupsBefore = mongo.cursorLookups();
			// A getMore that leaves its cursor open, then one that exhausts it.
			assertThat(client.command(getMore(cursors.get(0), 2)).getDocument("cursor").getInt64("id").getValue())
				.isEqualTo(cursors.get(0));
			assertThat(client.command(getMore(cursors.get(0), 100)).getDocument("cursor").getInt64("id").getValue())
				.isZero();
			client.command(new BsonDocument("killCursors", new BsonString("items"))
				.append("cursors", new BsonArray(List.of(new BsonInt64(cursors.get(1)))))
				.append("$db", new BsonString("bookkeeping")));
			assertThat(mongo.cursorLookups() - lookupsBefore).as("store cursor look-ups for 3 commands")
				.isLessThanOrEqualTo(3);

			assertThat(mongo.getOpenCursors(0)).isEqualTo(OPEN_CURSORS - 2);
		}
	}

	private static BsonDocument find() {
		return new BsonDocument("find", new BsonString("items")).append("batchSize", new BsonInt32(2))
			.append("$db", new BsonString("bookkeeping"));
	}

	private static BsonDocument getMore(long cursorId, int batchSize) {
		return new BsonDocument("getMore", new BsonInt64(cursorId)).append("collection", new BsonString("items"))
			.append("batchSize", new BsonInt32(batchSize))
			.append("$db", new BsonString("bookkeeping"));
	}

}
