package io.mongolb.embedded.junit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ModifierSupport;
import org.junit.platform.commons.support.ReflectionSupport;

import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongoSettings;

/**
 * The JUnit Jupiter extension behind {@link EmbeddedLoadBalancedMongoTest}: one cluster per annotated test class,
 * kept in the class's extension store (so JUnit closes it when the class is done), injected into parameters and
 * fields of type {@link EmbeddedLoadBalancedMongo}.
 */
public class EmbeddedLoadBalancedMongoExtension
		implements BeforeAllCallback, TestInstancePostProcessor, ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(EmbeddedLoadBalancedMongoExtension.class);

	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		injectFields(context.getRequiredTestClass(), null, clusterFor(context), true);
	}

	@Override
	public void postProcessTestInstance(Object testInstance, ExtensionContext context) throws Exception {
		EmbeddedLoadBalancedMongo mongo = clusterFor(context);
		injectFields(testInstance.getClass(), testInstance, mongo, false);
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == EmbeddedLoadBalancedMongo.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return clusterFor(extensionContext);
	}

	private EmbeddedLoadBalancedMongo clusterFor(ExtensionContext context) {
		// The cluster belongs to the nearest class (this one or an enclosing one, for @Nested) that carries the
		// annotation, and lives in that class's store: JUnit closes it when that class is done.
		ExtensionContext owner = context;
		while (true) {
			Optional<Class<?>> testClass = owner.getTestClass();
			if (owner.getTestMethod().isEmpty() && testClass.isPresent()) {
				Optional<EmbeddedLoadBalancedMongoTest> settings = AnnotationSupport.findAnnotation(testClass.get(),
						EmbeddedLoadBalancedMongoTest.class);
				if (settings.isPresent()) {
					// Keyed by class: a store also sees its parents' values, and a nested class may have its own.
					return owner.getStore(NAMESPACE)
						.computeIfAbsent(testClass.get().getName(),
								(key) -> new ClusterResource(start(testClass.get(), settings.get())),
								ClusterResource.class)
						.mongo();
				}
			}
			Optional<ExtensionContext> parent = owner.getParent();
			if (parent.isEmpty()) {
				throw new ExtensionConfigurationException("No @EmbeddedLoadBalancedMongoTest on "
						+ context.getRequiredTestClass().getName() + " or its enclosing classes");
			}
			owner = parent.get();
		}
	}

	private static EmbeddedLoadBalancedMongo start(Class<?> annotated, EmbeddedLoadBalancedMongoTest annotation) {
		return EmbeddedLoadBalancedMongo.builder().settings(settings(annotated, annotation)).start();
	}

	/**
	 * The one mapping of the annotation to the settings, which check every value.
	 * @param annotated the class that carries the annotation, for the message
	 * @param annotation the annotation
	 * @return the settings
	 * @throws ExtensionConfigurationException naming the class when a value is invalid
	 */
	static EmbeddedLoadBalancedMongoSettings settings(Class<?> annotated, EmbeddedLoadBalancedMongoTest annotation) {
		try {
			EmbeddedLoadBalancedMongoSettings defaults = EmbeddedLoadBalancedMongoSettings.defaults();
			return new EmbeddedLoadBalancedMongoSettings(annotation.fronts(), annotation.proxyProtocol(),
					annotation.balancer(), defaults.balancerPort(), annotation.acceptNonLoadBalancedClients(),
					annotation.maxWireVersion(), Duration.ofMillis(annotation.proxyHeaderTimeoutMillis()),
					annotation.database(), defaults.eventLoopThreads());
		}
		catch (IllegalArgumentException ex) {
			throw new ExtensionConfigurationException(
					"Invalid @EmbeddedLoadBalancedMongoTest on " + annotated.getName() + ": " + ex.getMessage(), ex);
		}
	}

	private static void injectFields(Class<?> testClass, Object instance, EmbeddedLoadBalancedMongo mongo,
			boolean statics) throws IllegalAccessException {
		List<Field> fields = ReflectionSupport.findFields(testClass,
				(field) -> field.getType() == EmbeddedLoadBalancedMongo.class
						&& ModifierSupport.isStatic(field) == statics && !Modifier.isFinal(field.getModifiers()),
				HierarchyTraversalMode.TOP_DOWN);
		for (Field field : fields) {
			field.setAccessible(true);
			field.set(instance, mongo);
		}
	}

	/**
	 * Closes the cluster when JUnit closes the store of the class that started it.
	 */
	private record ClusterResource(EmbeddedLoadBalancedMongo mongo) implements AutoCloseable {

		@Override
		public void close() {
			this.mongo.close();
		}

	}

}
