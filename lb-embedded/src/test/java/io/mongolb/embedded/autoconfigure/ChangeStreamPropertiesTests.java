package io.mongolb.embedded.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.model.changestream.ChangeStreamDocument;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongoSettings;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The change-stream properties: off by default (a clear error naming the property), on
 * with {@code change-streams=true} for Boot's own MongoClient, a capped history whose
 * invalid size fails the binding, and metadata describing both.
 */
class ChangeStreamPropertiesTests {

	private static final String PREFIX = "mongodb.load-balanced.embedded.";

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(EmbeddedLoadBalancedMongoAutoConfiguration.class, MongoAutoConfiguration.class))
		.withPropertyValues(PREFIX + "enabled=true", PREFIX + "fronts=1");

	@Test
	void offByDefaultWithAnErrorNamingTheProperty() {
		this.runner.run((context) -> {
			assertThat(context.getBean(EmbeddedLoadBalancedMongo.class).getSettings().changeStreams()).isFalse();
			MongoClient client = context.getBean(MongoClient.class);
			assertThatThrownBy(() -> client.getDatabase("test").getCollection("items").watch().cursor())
				.isInstanceOfSatisfying(MongoCommandException.class,
						(ex) -> assertThat(ex.getErrorMessage()).contains(PREFIX + "change-streams=true"));
		});
	}

	@Test
	void onForBootsMongoClient() {
		this.runner.withPropertyValues(PREFIX + "change-streams=true", PREFIX + "change-stream-history=50")
			.run((context) -> {
				EmbeddedLoadBalancedMongoSettings settings = context.getBean(EmbeddedLoadBalancedMongo.class)
					.getSettings();
				assertThat(settings.changeStreams()).isTrue();
				assertThat(settings.changeStreamHistory()).isEqualTo(50);
				MongoClient client = context.getBean(MongoClient.class);
				try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> cursor = client.getDatabase("test")
					.getCollection("items")
					.watch()
					.cursor()) {
					client.getDatabase("test").getCollection("items").insertOne(new Document("_id", "boot"));
					assertThat(cursor.next().getDocumentKey().getString("_id").getValue()).isEqualTo("boot");
				}
			});
	}

	@Test
	void historyOfZeroFailsTheBindingNamingTheProperty() {
		this.runner.withPropertyValues(PREFIX + "change-stream-history=0").run((context) -> {
			assertThat(context).hasFailed();
			BindException bind = null;
			for (Throwable current = context.getStartupFailure(); current != null; current = current.getCause()) {
				if (current instanceof BindException found) {
					bind = found;
				}
			}
			assertThat(bind).isNotNull();
			assertThat(bind.getProperty().getName()).hasToString(PREFIX + "change-stream-history");
			assertThat(bind).rootCause()
				.hasMessage("changeStreamHistory must be at least 1 (change events kept in memory), was 0");
		});
	}

	@Test
	void metadataDescribesBothProperties() throws IOException {
		try (InputStream metadata = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			assertThat(metadata).isNotNull();
			List<Map<String, Object>> properties = JsonPath.parse(metadata)
				.read("$.properties[?(@.name =~ /mongodb.load-balanced.embedded.change-stream.*/)]");
			assertThat(properties).hasSize(2)
				.allSatisfy((property) -> assertThat(property.get("description")).asString().isNotBlank());
			assertThat(properties)
				.anySatisfy((property) -> assertThat(property).containsEntry("name", PREFIX + "change-stream-history")
					.containsEntry("defaultValue", EmbeddedLoadBalancedMongoSettings.DEFAULT_CHANGE_STREAM_HISTORY));
		}
	}

}
