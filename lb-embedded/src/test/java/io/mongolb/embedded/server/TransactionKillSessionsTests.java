package io.mongolb.embedded.server;

import java.util.ArrayList;
import java.util.List;

import com.mongodb.MongoCommandException;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code killSessions} and {@code killAllSessions} abort the sessions' in-progress
 * transactions, as on mongod: driver test runners send {@code killAllSessions} between
 * tests so that a transaction left open does not block the next one. Real driver,
 * in-process balancer, a cluster per test.
 */
class TransactionKillSessionsTests {

	@Test
	void killSessionsAbortsOnlyTheNamedSessionsTransaction() {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().start();
				MongoClient client = MongoClients.create(mongo.getConnectionString());
				MongoClient admin = MongoClients.create(mongo.getConnectionString())) {
			MongoCollection<Document> killed = client.getDatabase("kill").getCollection("killed");
			MongoCollection<Document> kept = client.getDatabase("kill").getCollection("kept");
			try (ClientSession first = client.startSession(); ClientSession second = client.startSession()) {
				first.startTransaction();
				killed.insertOne(first, new Document("_id", 1));
				second.startTransaction();
				kept.insertOne(second, new Document("_id", 1));
				BsonDocument lsid = first.getServerSession().getIdentifier();
				Document reply = admin.getDatabase("admin").runCommand(new Document("killSessions", List.of(lsid)));
				assertThat(reply.get("ok")).isEqualTo(1.0);
				assertThatThrownBy(first::commitTransaction).isInstanceOfSatisfying(MongoCommandException.class,
						(ex) -> assertThat(ex.getErrorCode()).isEqualTo(251));
				second.commitTransaction();
			}
			assertThat(killed.countDocuments()).isZero();
			assertThat(kept.countDocuments()).isOne();
		}
	}

	@Test
	void killAllSessionsAbortsEveryTransactionAndUnblocksWriters() {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().start();
				MongoClient client = MongoClients.create(mongo.getConnectionString());
				MongoClient other = MongoClients.create(mongo.getConnectionString())) {
			MongoCollection<Document> items = client.getDatabase("killAll").getCollection("items");
			items.insertOne(new Document("_id", 0));
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				items.insertOne(session, new Document("_id", 1));
				assertThat(mongo.transactions().anyActive()).isTrue();
				Document reply = other.getDatabase("admin")
					.runCommand(new Document("killAllSessions", new BsonArray()));
				assertThat(reply.get("ok")).isEqualTo(1.0);
				assertThat(mongo.transactions().anyActive()).isFalse();
				// No transaction holds the collection any more: this write does not wait.
				other.getDatabase("killAll").getCollection("items").insertOne(new Document("_id", 2));
				assertThatThrownBy(session::commitTransaction).isInstanceOf(MongoCommandException.class);
			}
			assertThat(items.find().map((document) -> document.get("_id")).into(new ArrayList<>()))
				.containsExactlyInAnyOrder(0, 2);
		}
	}

}
