package io.mongolb.autoconfigure.web;

import com.mongodb.client.MongoClient;
import io.mongolb.autoconfigure.ConditionalOnBooleanSetting;
import io.mongolb.autoconfigure.LoadBalancedMongoAutoConfiguration;
import io.mongolb.autoconfigure.LoadBalancedProperties;
import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import io.mongolb.autoconfigure.topology.CurrentService;
import jakarta.servlet.Filter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Auto-configuration of the {@link CurrentServiceFilter} in a servlet web application
 * with the synchronous driver: every request gets its own {@link CurrentService} scope,
 * and with {@code mongodb.load-balanced.mdc.enabled=true} the MDC key
 * {@value CurrentService#MDC_KEY} names the mongos in the request's log lines.
 * <p>
 * Whether the client is load-balanced is decided at run time, once the connection details
 * exist (see {@link LoadBalancedMongoAutoConfiguration}), so no condition can decide it,
 * and the filter's registration must not take the {@link LoadBalancedMode} (nor the bound
 * {@link LoadBalancedProperties}) either: Spring Boot creates registrations while it
 * starts the web server, before the other beans, and a connection string that breaks a
 * rule (or an invalid property) would then fail inside the server's start-up instead of
 * with the starter's report. So the filter is registered in every servlet application the
 * starter is on, and asks the decision on the first request: for a client that is not
 * load-balanced it lets every request pass untouched. An application bean named
 * {@code mongodbCurrentServiceFilterRegistration} replaces the registration.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = LoadBalancedMongoAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({ MongoClient.class, Filter.class, OncePerRequestFilter.class, FilterRegistrationBean.class })
@ConditionalOnBean(LoadBalancedMode.class)
public final class CurrentServiceWebAutoConfiguration {

	private static final Log logger = LogFactory.getLog(CurrentServiceWebAutoConfiguration.class);

	CurrentServiceWebAutoConfiguration() {
	}

	@Bean
	@ConditionalOnMissingBean(name = "mongodbCurrentServiceFilterRegistration")
	FilterRegistrationBean<CurrentServiceFilter> mongodbCurrentServiceFilterRegistration(
			ObjectProvider<LoadBalancedMode> mode, ObjectProvider<LoadBalancedProperties> properties) {
		CurrentServiceFilter filter = new CurrentServiceFilter(() -> mode.getObject().active(),
				() -> properties.getObject().getMdc().isEnabled());
		FilterRegistrationBean<CurrentServiceFilter> registration = new FilterRegistrationBean<>(filter);
		registration.setName("mongodbCurrentServiceFilter");
		registration.setOrder(CurrentServiceFilter.ORDER);
		return registration;
	}

	// Once every bean exists: the decision has been taken (or start-up has failed).
	@Bean
	@ConditionalOnBooleanSetting(name = "mongodb.load-balanced.mdc.enabled")
	SmartInitializingSingleton mongodbCurrentServiceMdcReport(ObjectProvider<LoadBalancedMode> mode) {
		return () -> {
			if (mode.getObject().active()) {
				logger.info("MDC key " + CurrentService.MDC_KEY
						+ " names the mongos (serviceId) of each request's last MongoDB command");
			}
			else {
				logger
					.info("mongodb.load-balanced.mdc.enabled=true has no effect: the MongoClient is not load-balanced");
			}
		};
	}

}
