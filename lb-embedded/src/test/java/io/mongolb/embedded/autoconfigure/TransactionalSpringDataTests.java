package io.mongolb.embedded.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.mongodb.autoconfigure.DataMongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.mongodb.MongoDatabaseFactory;
import org.springframework.data.mongodb.MongoTransactionManager;
import org.springframework.data.mongodb.core.MongoTemplate;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.transaction.annotation.EnableTransactionManagement;
import org.springframework.transaction.annotation.Transactional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An application with Spring Data's {@link MongoTransactionManager} and
 * {@code @Transactional} on the embedded load-balanced MongoDB started by
 * {@code mongodb.load-balanced.embedded.enabled=true}: a method that throws rolls back
 * every write it made, one that returns commits them. Also the two transaction
 * properties: bound, described in the metadata, checked.
 */
class TransactionalSpringDataTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(EmbeddedLoadBalancedMongoAutoConfiguration.class,
				MongoAutoConfiguration.class, DataMongoAutoConfiguration.class))
		.withUserConfiguration(TransactionalConfiguration.class)
		.withPropertyValues("mongodb.load-balanced.embedded.enabled=true");

	@Test
	void transactionalMethodCommitsOrRollsBackOnAnException() {
		this.runner.run((context) -> {
			assertThat(context).hasNotFailed();
			Orders orders = context.getBean(Orders.class);
			MongoTemplate template = context.getBean(MongoTemplate.class);
			orders.place("first");
			assertThat(template.count(new Query(), "orders")).isEqualTo(2);
			assertThatThrownBy(() -> orders.placeThenFail("second")).isInstanceOf(IllegalStateException.class)
				.hasMessage("payment refused");
			// Inside, the method saw its own two writes; after the rollback none remain.
			assertThat(orders.seenInside()).isEqualTo(4);
			assertThat(template.count(new Query(), "orders")).isEqualTo(2);
			assertThat(template.findAll(Document.class, "orders")).extracting((order) -> order.get("_id"))
				.containsExactlyInAnyOrder("first-a", "first-b");
			EmbeddedLoadBalancedMongo mongo = context.getBean(EmbeddedLoadBalancedMongo.class);
			assertThat(mongo.getSettings().transactionLifetimeLimit()).isEqualTo(Duration.ofSeconds(60));
		});
	}

	@Test
	void transactionPropertiesAreBoundAndChecked() {
		this.runner
			.withPropertyValues("mongodb.load-balanced.embedded.transaction-lifetime-limit=7s",
					"mongodb.load-balanced.embedded.blocked-write-timeout=250ms")
			.run((context) -> {
				EmbeddedLoadBalancedMongo mongo = context.getBean(EmbeddedLoadBalancedMongo.class);
				assertThat(mongo.getSettings().transactionLifetimeLimit()).isEqualTo(Duration.ofSeconds(7));
				assertThat(mongo.getSettings().blockedWriteTimeout()).isEqualTo(Duration.ofMillis(250));
			});
		this.runner.withPropertyValues("mongodb.load-balanced.embedded.transaction-lifetime-limit=0s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessage("transactionLifetimeLimit must be positive, was PT0S"));
		this.runner.withPropertyValues("mongodb.load-balanced.embedded.blocked-write-timeout=-1s")
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.hasMessage("blockedWriteTimeout must be positive, was PT-1S"));
	}

	@Test
	void metadataDescribesTheTransactionProperties() throws IOException {
		for (String name : List.of("transaction-lifetime-limit", "blocked-write-timeout")) {
			try (InputStream metadata = getClass()
				.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
				List<Map<String, Object>> property = JsonPath.parse(metadata)
					.read("$.properties[?(@.name == 'mongodb.load-balanced.embedded." + name + "')]");
				assertThat(property).as(name).hasSize(1);
				assertThat(property.get(0).get("description")).as(name).asString().isNotBlank();
				assertThat(property.get(0).get("type")).isEqualTo("java.time.Duration");
			}
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableTransactionManagement
	static class TransactionalConfiguration {

		@Bean
		MongoTransactionManager transactionManager(MongoDatabaseFactory factory) {
			return new MongoTransactionManager(factory);
		}

		@Bean
		Orders orders(MongoTemplate template) {
			return new Orders(template);
		}

	}

	static class Orders {

		private final MongoTemplate template;

		private volatile long seenInside;

		Orders(MongoTemplate template) {
			this.template = template;
		}

		@Transactional
		void place(String id) {
			this.template.insert(new Document("_id", id + "-a"), "orders");
			this.template.insert(new Document("_id", id + "-b"), "orders");
		}

		/**
		 * The count the last {@link #placeThenFail} saw inside its transaction (through
		 * the proxy: a field read on it would be the proxy's own).
		 * @return the count
		 */
		long seenInside() {
			return this.seenInside;
		}

		@Transactional
		void placeThenFail(String id) {
			this.template.insert(new Document("_id", id + "-a"), "orders");
			this.template.insert(new Document("_id", id + "-b"), "orders");
			this.seenInside = this.template.count(new Query(), "orders");
			throw new IllegalStateException("payment refused");
		}

	}

}
