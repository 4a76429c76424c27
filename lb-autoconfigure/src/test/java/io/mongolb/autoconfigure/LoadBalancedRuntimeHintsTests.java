package io.mongolb.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.TypeReference;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The starter's native-image hints: what {@link LoadBalancedRuntimeHints} registers, and
 * that Spring's AOT processing finds it through {@code META-INF/spring/aot.factories}.
 */
class LoadBalancedRuntimeHintsTests {

	@Test
	void registersEveryClassTheStarterLooksUpByName() {
		RuntimeHints hints = new RuntimeHints();
		new LoadBalancedRuntimeHints().registerHints(hints, getClass().getClassLoader());
		assertThat(LoadBalancedRuntimeHints.LOOKED_UP_BY_NAME).hasSize(4);
		// Each one present on this class path gets its hint; an absent one (the reactive
		// stack
		// in driver-compat's run) gets none.
		for (String type : LoadBalancedRuntimeHints.LOOKED_UP_BY_NAME) {
			if (ClassUtils.isPresent(type, getClass().getClassLoader())) {
				assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(type))).as(type).accepts(hints);
			}
			else {
				assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of(type))).as(type).rejects(hints);
			}
		}
		assertThat(RuntimeHintsPredicates.reflection().onType(com.mongodb.client.MongoClient.class)).accepts(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(org.slf4j.MDC.class)).accepts(hints);
		// No member is opened: a type hint is all that Class.forName needs.
		assertThat(hints.reflection().getTypeHint(com.mongodb.client.MongoClient.class).getMemberCategories())
			.isEmpty();
	}

	@Test
	void skipsAStackThatIsNotOnTheClassPath() {
		RuntimeHints hints = new RuntimeHints();
		ClassLoader withoutReactive = new FilteredClassLoader("com.mongodb.reactivestreams.", "reactor.");
		new LoadBalancedRuntimeHints().registerHints(hints, withoutReactive);
		assertThat(RuntimeHintsPredicates.reflection()
			.onType(TypeReference.of("com.mongodb.reactivestreams.client.MongoClient"))).rejects(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of("reactor.core.publisher.Mono")))
			.rejects(hints);
		assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of("com.mongodb.client.MongoClient")))
			.accepts(hints);
	}

	@Test
	void isListedInAotFactories() {
		AotServices<RuntimeHintsRegistrar> registrars = AotServices.factories(getClass().getClassLoader())
			.load(RuntimeHintsRegistrar.class);
		assertThat(registrars.asList()).hasAtLeastOneElementOfType(LoadBalancedRuntimeHints.class);
		RuntimeHints hints = new RuntimeHints();
		registrars.forEach((registrar) -> registrar.registerHints(hints, getClass().getClassLoader()));
		assertThat(RuntimeHintsPredicates.reflection().onType(TypeReference.of("com.mongodb.client.MongoClient")))
			.accepts(hints);
	}

}
