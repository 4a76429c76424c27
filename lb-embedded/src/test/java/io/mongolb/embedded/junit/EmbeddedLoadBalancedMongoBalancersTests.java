package io.mongolb.embedded.junit;

import java.util.concurrent.TimeUnit;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest.Balancer;
import io.mongolb.embedded.server.EmbeddedBalancer;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import io.mongolb.embedded.support.RecordingListener;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The extension starts the balancers the annotation declares with the cluster, and
 * injects the only one into parameters and fields. That a class declaring two cannot have
 * one injected is checked by {@link EmbeddedLoadBalancedMongoExtensionLifecycleTests}.
 */
@EmbeddedLoadBalancedMongoTest(fronts = 2, balancers = @Balancer(fronts = 1))
class EmbeddedLoadBalancedMongoBalancersTests {

	private EmbeddedBalancer field;

	@Test
	void injectsTheOnlyBalancerOverTheSameData(EmbeddedLoadBalancedMongo mongo, EmbeddedBalancer parameter) {
		assertThat(parameter).isSameAs(this.field).isSameAs(mongo.getBalancers().get(0));
		assertThat(parameter.isRunning()).isTrue();
		assertThat(parameter.getFronts()).containsExactly(1);
		assertThat(parameter.getConnectionString()).endsWith("/test?loadBalanced=true");
		RecordingListener events = new RecordingListener();
		try (MongoClient single = MongoClients.create(MongoClientSettings.builder()
			.applyConnectionString(new ConnectionString(parameter.getConnectionString()))
			.addCommandListener(events)
			.applyToClusterSettings((cluster) -> cluster.serverSelectionTimeout(5, TimeUnit.SECONDS))
			.build()); MongoClient all = MongoClients.create(mongo.getConnectionString())) {
			MongoCollection<Document> items = single.getDatabase("test").getCollection("items");
			items.insertOne(new Document("_id", "through-front-1"));
			assertThat(all.getDatabase("test").getCollection("items").countDocuments()).isEqualTo(1);
		}
		assertThat(events.startedServiceIds()).isNotEmpty().containsOnly(mongo.getServiceId(1));
	}

}
