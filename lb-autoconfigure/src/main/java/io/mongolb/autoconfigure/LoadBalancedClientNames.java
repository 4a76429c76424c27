package io.mongolb.autoconfigure;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.beans.factory.config.InstantiationAwareBeanPostProcessor;
import org.springframework.util.ClassUtils;

/**
 * Tells {@link LoadBalancedClients} which {@code MongoClient} bean (synchronous or
 * reactive) is being created on the current thread, so that the customizer, which Spring
 * Boot calls from inside that bean's factory method, names the client after its bean, and
 * hands each entry its client once the bean exists. It creates no bean and changes none.
 */
final class LoadBalancedClientNames implements InstantiationAwareBeanPostProcessor, BeanClassLoaderAware {

	static final String[] CLIENT_TYPES = { "com.mongodb.client.MongoClient",
			"com.mongodb.reactivestreams.client.MongoClient" };

	private volatile List<Class<?>> clientTypes = List.of();

	@Override
	public void setBeanClassLoader(ClassLoader classLoader) {
		List<Class<?>> types = new ArrayList<>();
		for (String type : CLIENT_TYPES) {
			if (ClassUtils.isPresent(type, classLoader)) {
				types.add(ClassUtils.resolveClassName(type, classLoader));
			}
		}
		this.clientTypes = List.copyOf(types);
	}

	@Override
	public @Nullable Object postProcessBeforeInstantiation(Class<?> beanClass, String beanName) {
		if (isClient(beanClass)) {
			LoadBalancedClients.creating(beanName);
		}
		return null;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (isClient(bean.getClass())) {
			LoadBalancedClients.created(beanName, bean);
		}
		return bean;
	}

	private boolean isClient(Class<?> type) {
		for (Class<?> clientType : this.clientTypes) {
			if (clientType.isAssignableFrom(type)) {
				return true;
			}
		}
		return false;
	}

}
