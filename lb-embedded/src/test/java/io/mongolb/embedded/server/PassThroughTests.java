package io.mongolb.embedded.server;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.mongodb.ReadPreference;
import com.mongodb.Tag;
import com.mongodb.TagSet;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed spec's pass-through rules, asserted at the fronts, which record what they
 * receive from the real driver through the in-process balancer: every pooled connection's
 * first {@code hello} carries {@code loadBalanced: true}; commands under a session carry
 * its {@code lsid}; a read preference with tag sets and {@code maxStalenessSeconds}
 * arrives as {@code $readPreference} unchanged.
 */
@EmbeddedLoadBalancedMongoTest(fronts = 2)
class PassThroughTests {

	private static final int RECORDED = 10_000;

	private static EmbeddedLoadBalancedMongo mongo;

	@BeforeEach
	void record() {
		mongo.recordCommands(0, RECORDED);
		mongo.recordCommands(1, RECORDED);
	}

	private static List<CommandRecording.Received> received() {
		List<CommandRecording.Received> received = new ArrayList<>(mongo.recordedCommands(0));
		received.addAll(mongo.recordedCommands(1));
		return received;
	}

	@Test
	void everyPooledConnectionsFirstHelloIsLoadBalanced() {
		try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			MongoCollection<Document> collection = client.getDatabase("passthrough").getCollection("items");
			collection.insertMany(List.of(new Document("_id", 1), new Document("_id", 2), new Document("_id", 3)));
			// Open cursors pin connections: the pool opens one per cursor.
			List<MongoCursor<Document>> open = new ArrayList<>();
			try {
				for (int i = 0; i < 6; i++) {
					MongoCursor<Document> cursor = collection.find().batchSize(1).iterator();
					cursor.next();
					open.add(cursor);
				}
			}
			finally {
				open.forEach(MongoCursor::close);
			}
		}
		// front index and connection id: the first command of each connection
		Map<String, CommandRecording.Received> firsts = new LinkedHashMap<>();
		for (int front = 0; front < 2; front++) {
			for (CommandRecording.Received received : mongo.recordedCommands(front)) {
				firsts.putIfAbsent(front + "/" + received.connectionId(), received);
			}
		}
		assertThat(firsts).as("connections seen").hasSizeGreaterThanOrEqualTo(6);
		assertThat(firsts.values()).allSatisfy((first) -> {
			assertThat(first.loadBalancerPort()).isTrue();
			assertThat(first.name()).isIn("hello", "isMaster", "ismaster");
			assertThat(first.command().get("loadBalanced")).as("loadBalanced of %s", first.command()).isEqualTo(true);
		});
		assertThat(firsts.keySet()).anyMatch((key) -> key.startsWith("0/")).anyMatch((key) -> key.startsWith("1/"));
	}

	@Test
	void commandsUnderASessionCarryItsLsid() {
		try (MongoClient client = MongoClients.create(mongo.getConnectionString());
				ClientSession session = client.startSession()) {
			MongoCollection<Document> collection = client.getDatabase("passthrough").getCollection("session");
			collection.insertOne(session, new Document("_id", "s"));
			assertThat(collection.find(session).first()).isNotNull();
			assertThat(collection.countDocuments(session)).isOne();
			UUID id = session.getServerSession().getIdentifier().getBinary("id").asUuid();
			List<CommandRecording.Received> underSession = received().stream()
				.filter((received) -> received.name().equals("insert") || received.name().equals("find")
						|| received.name().equals("aggregate"))
				.filter((received) -> "session".equals(received.command().get(received.name())))
				.toList();
			assertThat(underSession).extracting(CommandRecording.Received::name)
				.contains("insert", "find", "aggregate");
			assertThat(underSession).allSatisfy((received) -> {
				de.bwaldvogel.mongo.bson.Document lsid = (de.bwaldvogel.mongo.bson.Document) received.command()
					.get("lsid");
				assertThat(lsid).as("lsid of %s", received.name()).isNotNull();
				assertThat(lsid.get("id")).isInstanceOf(UUID.class).isEqualTo(id);
			});
		}
	}

	@Test
	void readPreferenceWithTagsAndMaxStalenessArrivesUnchanged() {
		ReadPreference readPreference = ReadPreference
			.secondaryPreferred(List.of(new TagSet(List.of(new Tag("dc", "east"), new Tag("rack", "1"))),
					new TagSet(new Tag("dc", "west")), new TagSet()), 120, TimeUnit.SECONDS);
		try (MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			MongoCollection<Document> collection = client.getDatabase("passthrough")
				.getCollection("preferred")
				.withReadPreference(readPreference);
			assertThat(collection.find().first()).isNull();
		}
		CommandRecording.Received find = received().stream()
			.filter((received) -> received.name().equals("find") && "preferred".equals(received.command().get("find")))
			.findFirst()
			.orElseThrow();
		de.bwaldvogel.mongo.bson.Document expected = new de.bwaldvogel.mongo.bson.Document("mode", "secondaryPreferred")
			.append("tags", List.of(new de.bwaldvogel.mongo.bson.Document("dc", "east").append("rack", "1"),
					new de.bwaldvogel.mongo.bson.Document("dc", "west"), new de.bwaldvogel.mongo.bson.Document()))
			.append("maxStalenessSeconds", 120L);
		assertThat(find.command().get("$readPreference")).isEqualTo(expected);
	}

}
