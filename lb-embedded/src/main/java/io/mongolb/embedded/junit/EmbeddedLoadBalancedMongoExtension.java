package io.mongolb.embedded.junit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.mongolb.embedded.junit.EmbeddedLoadBalancedMongoTest.Lifecycle;
import io.mongolb.embedded.server.EmbeddedBalancer;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongoSettings;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ModifierSupport;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The JUnit Jupiter extension behind {@link EmbeddedLoadBalancedMongoTest}: one cluster
 * per annotated test class (or per test method, with {@link Lifecycle#PER_METHOD}), kept
 * in that class's or method's extension store, so that JUnit closes it when the class or
 * method is done, and injected into parameters and fields of type
 * {@link EmbeddedLoadBalancedMongo} (and {@link EmbeddedBalancer}, when the annotation
 * declares exactly one additional balancer).
 *
 * @since 0.1.0
 */
public final class EmbeddedLoadBalancedMongoExtension
		implements BeforeAllCallback, BeforeEachCallback, TestInstancePostProcessor, ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(EmbeddedLoadBalancedMongoExtension.class);

	/**
	 * Creates the extension; JUnit does, through {@link EmbeddedLoadBalancedMongoTest}.
	 * @since 0.1.0
	 */
	public EmbeddedLoadBalancedMongoExtension() {
	}

	/**
	 * Injects the class's cluster into static fields ({@link Lifecycle#PER_CLASS}), or
	 * refuses static fields that could not hold a cluster per method.
	 * @param context the class's context
	 * @since 0.1.0
	 */
	@Override
	public void beforeAll(ExtensionContext context) throws Exception {
		Class<?> testClass = context.getRequiredTestClass();
		Class<?> annotated = annotatedClass(testClass);
		if (lifecycleOf(annotated) == Lifecycle.PER_CLASS) {
			injectFields(testClass, null, clusterFor(context, testClass), true);
			return;
		}
		List<Field> statics = fields(testClass, true);
		if (!statics.isEmpty()) {
			throw new ExtensionConfigurationException(
					perMethod(annotated) + " cannot inject static field '" + statics.get(0).getName() + "' of "
							+ testClass.getName() + ": make it an instance field or a parameter");
		}
	}

	/**
	 * Injects the class's cluster into the instance fields of a new test instance
	 * ({@link Lifecycle#PER_CLASS}).
	 * @param testInstance the test instance
	 * @param context its context
	 * @since 0.1.0
	 */
	@Override
	public void postProcessTestInstance(Object testInstance, ExtensionContext context) throws Exception {
		// JUnit creates an enclosing instance of a @Nested class in the nested method's
		// context: the instance's own class decides which cluster it gets.
		Class<?> instanceClass = testInstance.getClass();
		Class<?> governing = findAnnotatedClass(instanceClass);
		if (governing != null && lifecycleOf(governing) == Lifecycle.PER_CLASS) {
			injectFields(instanceClass, testInstance, clusterFor(context, instanceClass), false);
		}
	}

	/**
	 * Injects the method's cluster into the instance fields of the test instances that
	 * use it ({@link Lifecycle#PER_METHOD}).
	 * @param context the test method's context
	 * @since 0.1.0
	 */
	@Override
	public void beforeEach(ExtensionContext context) throws Exception {
		for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
			// Each instance (the test's and its enclosing ones) gets the cluster of its
			// own
			// class; those of PER_CLASS classes got theirs when they were created.
			// An enclosing class without the annotation has no cluster to receive.
			Class<?> instanceClass = instance.getClass();
			Class<?> governing = findAnnotatedClass(instanceClass);
			if (governing != null && lifecycleOf(governing) == Lifecycle.PER_METHOD) {
				injectFields(instanceClass, instance, clusterFor(context, instanceClass), false);
			}
		}
	}

	/**
	 * Supports parameters of type {@link EmbeddedLoadBalancedMongo} and
	 * {@link EmbeddedBalancer}.
	 * @param parameterContext the parameter
	 * @param extensionContext its context
	 * @return whether the parameter is of one of those types
	 * @since 0.1.0
	 */
	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		Class<?> type = parameterContext.getParameter().getType();
		return type == EmbeddedLoadBalancedMongo.class || type == EmbeddedBalancer.class;
	}

	/**
	 * Returns the cluster of the class or method the parameter belongs to (or its one
	 * additional balancer).
	 * @param parameterContext the parameter
	 * @param extensionContext its context
	 * @return the cluster
	 * @since 0.1.0
	 */
	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		// A constructor or method of an enclosing class (created in a nested method's
		// context) gets the cluster of that class; an inherited method that of the test
		// class.
		Class<?> declaring = parameterContext.getDeclaringExecutable().getDeclaringClass();
		Class<?> testClass = extensionContext.getRequiredTestClass();
		Class<?> forClass = declaring.isAssignableFrom(testClass) ? testClass : declaring;
		EmbeddedLoadBalancedMongo mongo = clusterFor(extensionContext, forClass);
		if (parameterContext.getParameter().getType() == EmbeddedBalancer.class) {
			return onlyBalancer(annotatedClass(forClass), mongo, "parameter '"
					+ parameterContext.getParameter().getName() + "' of " + parameterContext.getDeclaringExecutable());
		}
		return mongo;
	}

	private static EmbeddedBalancer onlyBalancer(Class<?> annotated, EmbeddedLoadBalancedMongo mongo, String target) {
		List<EmbeddedBalancer> balancers = mongo.getBalancers();
		if (balancers.size() != 1) {
			throw new ExtensionConfigurationException("Cannot inject an EmbeddedBalancer into " + target
					+ ": @EmbeddedLoadBalancedMongoTest on " + annotated.getName() + " declares " + balancers.size()
					+ " balancers, and only exactly one is injected; declare one, e.g. balancers = @Balancer(fronts "
					+ "= 0), or take them from EmbeddedLoadBalancedMongo.getBalancers()");
		}
		return balancers.get(0);
	}

	/**
	 * Test instances are created in their method's context, so that a constructor can
	 * take a cluster started per method.
	 * @param rootContext the root context
	 * @return {@link ExtensionContextScope#TEST_METHOD}
	 * @since 0.1.0
	 */
	@Override
	public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
		return ExtensionContextScope.TEST_METHOD;
	}

	private static EmbeddedLoadBalancedMongo clusterFor(ExtensionContext context, Class<?> forClass) {
		Class<?> annotated = annotatedClass(forClass);
		EmbeddedLoadBalancedMongoTest annotation = annotationOf(annotated);
		if (annotation.lifecycle() == Lifecycle.PER_METHOD) {
			if (context.getTestMethod().isEmpty()) {
				throw new ExtensionConfigurationException(perMethod(annotated)
						+ " has no cluster outside a test method: inject it into a test method, a @BeforeEach or "
						+ "@AfterEach method or an instance field, not into a @BeforeAll or @AfterAll method or a "
						+ "static field");
			}
			// The method's store: JUnit closes the cluster when the method is done, after
			// @AfterEach.
			return context.getStore(NAMESPACE)
				.computeIfAbsent("method:" + annotated.getName(),
						(key) -> new ClusterResource(start(annotated, annotation)), ClusterResource.class)
				.mongo();
		}
		// The store of the annotated class, which JUnit closes when that class is done;
		// keyed by class because a store also sees the values of its parents, and a
		// nested class may have a cluster of its own.
		ExtensionContext owner = context;
		while (!(owner.getTestMethod().isEmpty() && owner.getTestClass().orElse(null) == annotated)) {
			Optional<ExtensionContext> parent = owner.getParent();
			if (parent.isEmpty()) {
				throw new ExtensionConfigurationException("No extension context for " + annotated.getName()
						+ ", which carries @EmbeddedLoadBalancedMongoTest");
			}
			owner = parent.get();
		}
		return owner.getStore(NAMESPACE)
			.computeIfAbsent("class:" + annotated.getName(), (key) -> new ClusterResource(start(annotated, annotation)),
					ClusterResource.class)
			.mongo();
	}

	/*
	 * The class whose annotation governs a test class: the test class itself, or the
	 * nearest enclosing class (for {@code @Nested} classes) that carries the annotation.
	 */
	private static Class<?> annotatedClass(Class<?> testClass) {
		Class<?> annotated = findAnnotatedClass(testClass);
		if (annotated != null) {
			return annotated;
		}
		throw new ExtensionConfigurationException(
				"No @EmbeddedLoadBalancedMongoTest on " + testClass.getName() + " or its enclosing classes");
	}

	private static @Nullable Class<?> findAnnotatedClass(Class<?> testClass) {
		for (Class<?> candidate = testClass; candidate != null; candidate = candidate.getEnclosingClass()) {
			if (AnnotationSupport.isAnnotated(candidate, EmbeddedLoadBalancedMongoTest.class)) {
				return candidate;
			}
		}
		return null;
	}

	private static EmbeddedLoadBalancedMongoTest annotationOf(Class<?> annotated) {
		return AnnotationSupport.findAnnotation(annotated, EmbeddedLoadBalancedMongoTest.class)
			.orElseThrow(() -> new ExtensionConfigurationException(
					"No @EmbeddedLoadBalancedMongoTest on " + annotated.getName()));
	}

	private static Lifecycle lifecycleOf(Class<?> annotated) {
		return annotationOf(annotated).lifecycle();
	}

	private static String perMethod(Class<?> annotated) {
		return "@EmbeddedLoadBalancedMongoTest(lifecycle = PER_METHOD) on " + annotated.getName();
	}

	private static EmbeddedLoadBalancedMongo start(Class<?> annotated, EmbeddedLoadBalancedMongoTest annotation) {
		EmbeddedLoadBalancedMongo.Builder builder = EmbeddedLoadBalancedMongo.builder()
			.settings(settings(annotated, annotation));
		try {
			for (EmbeddedLoadBalancedMongoTest.Balancer balancer : annotation.balancers()) {
				builder.addBalancer(balancer.fronts());
			}
			return builder.start();
		}
		catch (IllegalArgumentException ex) {
			throw new ExtensionConfigurationException(
					"Invalid @EmbeddedLoadBalancedMongoTest on " + annotated.getName() + ": " + ex.getMessage(), ex);
		}
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
					annotation.database(), defaults.eventLoopThreads(), annotation.changeStreams(),
					annotation.changeStreamHistory(), defaults.transactionLifetimeLimit(),
					defaults.blockedWriteTimeout());
		}
		catch (IllegalArgumentException ex) {
			throw new ExtensionConfigurationException(
					"Invalid @EmbeddedLoadBalancedMongoTest on " + annotated.getName() + ": " + ex.getMessage(), ex);
		}
	}

	private static List<Field> fields(Class<?> testClass, boolean statics) {
		return ReflectionSupport.findFields(testClass,
				(field) -> (field.getType() == EmbeddedLoadBalancedMongo.class
						|| field.getType() == EmbeddedBalancer.class) && ModifierSupport.isStatic(field) == statics
						&& !Modifier.isFinal(field.getModifiers()),
				HierarchyTraversalMode.TOP_DOWN);
	}

	private static void injectFields(Class<?> testClass, @Nullable Object instance, EmbeddedLoadBalancedMongo mongo,
			boolean statics) throws IllegalAccessException {
		for (Field field : fields(testClass, statics)) {
			field.setAccessible(true);
			field.set(instance, (field.getType() == EmbeddedBalancer.class)
					? onlyBalancer(annotatedClass(testClass), mongo, "field '" + field.getName() + "'") : mongo);
		}
	}

	/**
	 * Closes the cluster when JUnit closes the store of the class or method that started
	 * it.
	 */
	private record ClusterResource(EmbeddedLoadBalancedMongo mongo) implements AutoCloseable {

		@Override
		public void close() {
			this.mongo.close();
		}

	}

}
