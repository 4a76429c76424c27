package io.mongolb.embedded.junit;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.mongodb.core.MongoTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring Data MongoDB application configured with the extension's connection string, as
 * a test that uses {@code spring.mongodb.uri} does: it gets a database without naming
 * one.
 */
@EmbeddedLoadBalancedMongoTest
class SpringDataOnTheExtensionsClusterTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MongoAutoConfiguration.class, DataMongoAutoConfiguration.class));

	@Test
	void connectionStringNamesBootsDefaultDatabase(EmbeddedLoadBalancedMongo mongo) {
		this.runner.withPropertyValues("spring.mongodb.uri=" + mongo.getConnectionString()).run((context) -> {
			assertThat(context).hasNotFailed();
			MongoTemplate template = context.getBean(MongoTemplate.class);
			assertThat(template.getDb().getName()).isEqualTo("test");
			template.insert(new Document("_id", 1), "items");
			assertThat(template.getCollection("items").countDocuments()).isEqualTo(1);
		});
		assertThat(mongo.getConnectionString()).endsWith("/test?loadBalanced=true");
	}

}
