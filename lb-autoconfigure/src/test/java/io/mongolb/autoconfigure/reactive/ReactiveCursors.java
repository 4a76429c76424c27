package io.mongolb.autoconfigure.reactive;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.mongodb.reactivestreams.client.MongoCollection;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import org.bson.Document;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test help for a reactive client behind the embedded balancer: a cursor held open (one
 * document asked for, the subscription kept) pins its connection in load-balanced mode,
 * so cursors held at once reach both fronts.
 */
final class ReactiveCursors implements AutoCloseable {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final List<Subscription> open = new ArrayList<>();

	/**
	 * Open a cursor of batch size 1 and wait for its first document; the cursor stays
	 * open until {@link #close()}.
	 * @param collection a collection with at least two documents
	 * @throws Exception the driver's error, when the find fails
	 */
	void open(MongoCollection<Document> collection) throws Exception {
		CompletableFuture<Subscription> first = new CompletableFuture<>();
		collection.find().batchSize(1).subscribe(new Subscriber<Document>() {

			private Subscription subscription;

			@Override
			public void onSubscribe(Subscription subscription) {
				this.subscription = subscription;
				subscription.request(1);
			}

			@Override
			public void onNext(Document document) {
				first.complete(this.subscription);
			}

			@Override
			public void onError(Throwable error) {
				first.completeExceptionally(error);
			}

			@Override
			public void onComplete() {
				first.completeExceptionally(new IllegalStateException("the cursor ended before its first document"));
			}

		});
		try {
			this.open.add(first.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
		catch (TimeoutException ex) {
			throw new AssertionError("no document within " + WAIT, ex);
		}
	}

	/**
	 * Hold cursors open until the topology has seen both fronts' services (at most 8).
	 * @param topology the client's topology model
	 * @param collection a collection with at least two documents
	 * @throws Exception the driver's error
	 */
	void openUntilBothServicesAreSeen(LoadBalancedTopology topology, MongoCollection<Document> collection)
			throws Exception {
		for (int i = 0; i < 8 && distinctServices(topology) < 2; i++) {
			open(collection);
		}
		assertThat(distinctServices(topology)).isEqualTo(2);
	}

	static int distinctServices(LoadBalancedTopology topology) {
		return (int) topology.snapshot().services().stream().map((service) -> service.serviceId()).distinct().count();
	}

	@Override
	public void close() {
		this.open.forEach(Subscription::cancel);
		this.open.clear();
	}

}
