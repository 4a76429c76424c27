package io.mongolb.autoconfigure;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.security.CodeSource;
import java.util.jar.JarFile;

import com.mongodb.client.MongoClients;
import com.mongodb.internal.build.MongoDriverVersion;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MongoDB Java driver on the class path is the one this test run is meant to test:
 * the version Spring Boot manages when this module's suite runs, the newest tested
 * version when the driver-compat module runs the same suite. The build says which in
 * system properties: {@code mongolb.expected-driver-version} for the core, bson and the
 * synchronous driver, {@code mongolb.expected-reactive-driver-version} for the Reactive
 * Streams driver (unset: it must be absent). Each driver jar is checked on its own, so
 * that a class path that mixes two driver versions fails too.
 */
class DriverVersionTests {

	private static final String EXPECTED_VERSION = "mongolb.expected-driver-version";

	private static final String EXPECTED_REACTIVE_VERSION = "mongolb.expected-reactive-driver-version";

	private static final String REACTIVE_CLIENTS = "com.mongodb.reactivestreams.client.MongoClients";

	@Test
	void theDriverOnTheClassPathIsTheExpectedVersion() throws Exception {
		String expected = System.getProperty(EXPECTED_VERSION);
		assertThat(expected)
			.as("system property %s (set by the Maven build: run this test with ./mvnw)", EXPECTED_VERSION)
			.isNotBlank();
		// Read at run time: VERSION is a constant, which javac copies into this class at
		// the
		// version it compiled against.
		Object version = MongoDriverVersion.class.getField("VERSION").get(null);
		assertThat(version).as("MongoDriverVersion.VERSION").isEqualTo(expected);
		assertThat(bundleVersion(MongoDriverVersion.class)).as("mongodb-driver-core").isEqualTo(expected);
		assertThat(bundleVersion(Document.class)).as("bson").isEqualTo(expected);
		assertThat(bundleVersion(MongoClients.class)).as("mongodb-driver-sync").isEqualTo(expected);
	}

	@Test
	void theReactiveDriverIsTheExpectedVersionOrAbsent() throws Exception {
		String expected = System.getProperty(EXPECTED_REACTIVE_VERSION);
		ClassLoader classLoader = getClass().getClassLoader();
		if (expected == null) {
			assertThat(ClassUtils.isPresent(REACTIVE_CLIENTS, classLoader))
				.as("mongodb-driver-reactivestreams on the class path, with no %s", EXPECTED_REACTIVE_VERSION)
				.isFalse();
			return;
		}
		assertThat(bundleVersion(ClassUtils.forName(REACTIVE_CLIENTS, classLoader)))
			.as("mongodb-driver-reactivestreams")
			.isEqualTo(expected);
	}

	private static String bundleVersion(Class<?> type) throws IOException, URISyntaxException {
		CodeSource source = type.getProtectionDomain().getCodeSource();
		File location = new File(source.getLocation().toURI());
		assertThat(location).as("the jar of %s", type.getName()).isFile();
		try (JarFile jar = new JarFile(location)) {
			return jar.getManifest().getMainAttributes().getValue("Bundle-Version");
		}
	}

}
