package io.mongolb.autoconfigure.mode;

import java.util.function.UnaryOperator;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.Environment;

/**
 * How the decision names where a connection setting comes from: a property with its
 * origin (file and line, command line, ...), a bean by name and class, or the DNS TXT
 * record of an SRV host.
 */
final class ConnectionOrigins {

	static final String URI_PROPERTY = "spring.mongodb.uri";

	static final String HOST_PROPERTIES = "spring.mongodb.host, spring.mongodb.port and related properties";

	private final Environment environment;

	private final ListableBeanFactory beanFactory;

	ConnectionOrigins(Environment environment, ListableBeanFactory beanFactory) {
		this.environment = environment;
		this.beanFactory = beanFactory;
	}

	/**
	 * A property with where it was set, e.g.
	 * {@code spring.mongodb.uri (from class path resource [application.yml] -
	 * 3:10)}.
	 * @param name the property name
	 * @return the description
	 */
	String property(String name) {
		Origin origin = origin(name);
		return (origin != null) ? name + " (from " + origin + ")" : name;
	}

	/**
	 * Where to change a property: its origin, or the property itself when the origin is
	 * unknown.
	 * @param name the property name
	 * @return for example {@code class path resource [application.properties] - 3:5}
	 */
	String whereToChange(String name) {
		Origin origin = origin(name);
		return (origin != null) ? origin.toString() : "the configuration that sets " + name;
	}

	private @Nullable Origin origin(String name) {
		ConfigurationPropertyName propertyName = ConfigurationPropertyName.of(name);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			ConfigurationProperty property = source.getConfigurationProperty(propertyName);
			if (property != null) {
				return property.getOrigin();
			}
		}
		return null;
	}

	/**
	 * A bean, e.g.
	 * {@code the MongoConnectionDetails bean 'details' (com.example.Details)}.
	 * @param type the type it is looked up by
	 * @param bean the bean
	 * @return the description
	 */
	String bean(Class<?> type, Object bean) {
		String[] names = this.beanFactory.getBeanNamesForType(type);
		String name = (names.length == 1) ? "'" + names[0] + "' " : "";
		return "the " + type.getSimpleName() + " bean " + name + "(" + bean.getClass().getName() + ")";
	}

	/**
	 * The TXT record of an SRV host, which may supply {@code replicaSet},
	 * {@code loadBalanced} and {@code authSource}.
	 * @param srvHost the SRV host name
	 * @param uriOrigin where the {@code mongodb+srv} string comes from
	 * @return the description
	 */
	static String txtRecord(String srvHost, String uriOrigin) {
		return "the DNS TXT record of " + srvHost + " (read for " + uriOrigin + ")";
	}

	/**
	 * Where each option of a parsed connection string comes from: the string itself, or,
	 * for the options a TXT record may supply and the string does not set, that record.
	 * @param raw the string as written, when known
	 * @param uriOrigin where the string comes from
	 * @param txtOrigin the TXT record, for an SRV string
	 * @return option name to origin
	 */
	static UnaryOperator<String> ofOptions(@Nullable RawConnectionString raw, String uriOrigin,
			@Nullable String txtOrigin) {
		if (txtOrigin == null) {
			return (option) -> uriOrigin;
		}
		return (option) -> (raw != null && raw.option(option) == null
				&& ("replicaSet".equals(option) || "loadBalanced".equals(option))) ? txtOrigin : uriOrigin;
	}

}
