package io.mongolb.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;

/**
 * The starter's hints for a native image, registered through
 * {@code META-INF/spring/aot.factories}.
 * <p>
 * At run time the starter looks classes up by name ({@code Class.forName}, through
 * {@code ClassUtils.isPresent}) to find out which stacks are on the class path: the
 * synchronous and the reactive {@code MongoClient} (client names, health contributors,
 * the {@code mongodblb} endpoint), Reactor's {@code Mono} (reactive health) and SLF4J's
 * {@code MDC} ({@code CurrentService}). A native image answers such a look-up only for a
 * type registered for reflection, so each of them that is present at build time is
 * registered (the type only, no members). Nothing else needs a hint: the endpoint's and
 * the health indicator's responses are maps, lists, strings, numbers and booleans, which
 * Jackson writes without reflection, the configuration properties get their hints from
 * Spring Boot's own AOT processing, and the starter reads no resource of its own.
 */
final class LoadBalancedRuntimeHints implements RuntimeHintsRegistrar {

	/** The classes the starter looks up by name at run time. */
	static final List<String> LOOKED_UP_BY_NAME = List.of("com.mongodb.client.MongoClient",
			"com.mongodb.reactivestreams.client.MongoClient", "reactor.core.publisher.Mono", "org.slf4j.MDC");

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		for (String type : LOOKED_UP_BY_NAME) {
			hints.reflection().registerTypeIfPresent(classLoader, type);
		}
	}

}
