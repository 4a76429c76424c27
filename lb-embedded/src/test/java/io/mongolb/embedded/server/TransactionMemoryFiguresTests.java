package io.mongolb.embedded.server;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;

import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measures (and prints, without asserting on the numbers) the heap a 10,000-document
 * transaction holds: while it is open (its private copy), once committed (the store's
 * data, the copy released), and a second transaction that updates one document of those
 * 10,000 (its copy of the whole collection) with the time its commit takes. Heap used is
 * MemoryMXBean's, after GC. Asserts what the transactions did.
 */
class TransactionMemoryFiguresTests {

	private static final int DOCUMENTS = 10_000;

	@Test
	void heapOfATenThousandDocumentTransaction() {
		try (EmbeddedLoadBalancedMongo mongo = EmbeddedLoadBalancedMongo.builder().fronts(2).start();
				MongoClient client = MongoClients.create(mongo.getConnectionString())) {
			MongoCollection<Document> items = client.getDatabase("memory").getCollection("items");
			items.insertOne(new Document("_id", "warm-up"));
			items.deleteMany(new Document());
			List<Document> documents = new ArrayList<>();
			for (int i = 0; i < DOCUMENTS; i++) {
				documents.add(new Document("_id", i).append("name", "item-" + i)
					.append("n", i)
					.append("payload", "x".repeat(100)));
			}
			// For comparison: the same insert outside a transaction, into another
			// collection, dropped again.
			MongoCollection<Document> plain = client.getDatabase("memory").getCollection("plain");
			long plainStart = System.nanoTime();
			plain.insertMany(documents.stream().map(Document::new).toList());
			System.out.printf("FIGURE the same 10,000-document insertMany outside a transaction: %.1f ms%n",
					(System.nanoTime() - plainStart) / 1e6);
			assertThat(plain.countDocuments()).isEqualTo(DOCUMENTS);
			plain.drop();
			long before = usedHeapAfterGc();
			long open;
			long committed;
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				items.insertMany(session, documents);
				documents = null;
				open = usedHeapAfterGc();
				assertThat(items.countDocuments(session)).isEqualTo(DOCUMENTS);
				assertThat(items.countDocuments()).isZero();
				long start = System.nanoTime();
				session.commitTransaction();
				System.out.printf("FIGURE commit of a 10,000-document insert transaction: %.1f ms%n",
						(System.nanoTime() - start) / 1e6);
			}
			committed = usedHeapAfterGc();
			assertThat(items.countDocuments()).isEqualTo(DOCUMENTS);
			long copying;
			try (ClientSession session = client.startSession()) {
				session.startTransaction();
				items.updateOne(session, Filters.eq("_id", 5), Updates.inc("n", 1));
				copying = usedHeapAfterGc();
				long start = System.nanoTime();
				session.commitTransaction();
				System.out.printf("FIGURE commit of a 1-document update in a 10,000-document collection: %.1f ms%n",
						(System.nanoTime() - start) / 1e6);
			}
			long after = usedHeapAfterGc();
			assertThat(items.find(Filters.eq("_id", 5)).first().getInteger("n")).isEqualTo(6);
			assertThat(mongo.transactions().status().get("currentActive")).isEqualTo(0L);
			System.out.printf(
					"FIGURE heap of a 10,000-document transaction (about 150 bytes of BSON each): open %.2f MiB, "
							+ "committed %.2f MiB, second transaction's copy of the collection %.2f MiB, "
							+ "after both %.2f MiB (used heap after GC, relative to %.1f MiB before)%n",
					mib(open - before), mib(committed - before), mib(copying - committed), mib(after - before),
					before / 1048576.0);
		}
	}

	private static double mib(long bytes) {
		return bytes / 1048576.0;
	}

	private static long usedHeapAfterGc() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		for (int i = 0; i < 3; i++) {
			memory.gc();
		}
		return memory.getHeapMemoryUsage().getUsed();
	}

}
