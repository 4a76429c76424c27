package io.mongolb.embedded;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The public types of the module are its API and nothing else: a new public type has to
 * be added here on purpose.
 */
class PublicApiTests {

	@Test
	void publicTypesAreTheApi() throws IOException, URISyntaxException {
		Path location = Path
			.of(EmbeddedLoadBalancedMongo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
		List<String> publicTypes;
		// The module's classes directory, or its jar when the driver-compat module runs
		// this test.
		try (FileSystem jar = Files.isRegularFile(location) ? FileSystems.newFileSystem(location) : null) {
			Path classes = (jar != null) ? jar.getPath("/") : location;
			publicTypes = publicTypes(classes);
		}
		assertThat(publicTypes).containsExactly(
				"io.mongolb.embedded.autoconfigure.EmbeddedLoadBalancedMongoAutoConfiguration",
				"io.mongolb.embedded.autoconfigure.EmbeddedLoadBalancedMongoProperties",
				"io.mongolb.embedded.autoconfigure.EmbeddedLoadBalancedMongoProperties$Tls",
				"io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoExtension",
				"io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest",
				"io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest$Balancer",
				"io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest$Lifecycle",
				"io.mongolb.embedded.proxy.ProxyProtocolBalancer", "io.mongolb.embedded.proxy.ProxyProtocolVersion",
				"io.mongolb.embedded.server.EmbeddedBalancer", "io.mongolb.embedded.server.EmbeddedLoadBalancedMongo",
				"io.mongolb.embedded.server.EmbeddedLoadBalancedMongo$Builder",
				"io.mongolb.embedded.server.EmbeddedLoadBalancedMongoSettings",
				"io.mongolb.embedded.server.ProxyHeaderCounts");
	}

	private static List<String> publicTypes(Path classes) throws IOException {
		String separator = classes.getFileSystem().getSeparator();
		try (Stream<Path> files = Files.walk(classes)) {
			return files.filter((file) -> file.toString().endsWith(".class"))
				.map((file) -> classes.relativize(file).toString().replace(separator, "."))
				.map((name) -> name.substring(0, name.length() - ".class".length()))
				.filter((name) -> !name.endsWith("package-info"))
				.filter(PublicApiTests::isPublic)
				.sorted()
				.toList();
		}
	}

	private static boolean isPublic(String className) {
		try {
			Class<?> type = Class.forName(className, false, PublicApiTests.class.getClassLoader());
			for (Class<?> current = type; current != null; current = current.getEnclosingClass()) {
				if (!Modifier.isPublic(current.getModifiers())) {
					return false;
				}
			}
			return !type.isAnonymousClass() && !type.isSynthetic();
		}
		catch (ClassNotFoundException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
