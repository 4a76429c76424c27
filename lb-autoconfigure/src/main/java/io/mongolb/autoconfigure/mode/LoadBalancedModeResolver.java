package io.mongolb.autoconfigure.mode;

import java.util.List;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import io.mongolb.autoconfigure.mode.LoadBalancedMode.Requirement;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.mongodb.autoconfigure.MongoProperties;
import org.springframework.boot.mongodb.autoconfigure.PropertiesMongoConnectionDetails;
import org.springframework.core.env.Environment;

/**
 * Takes the {@link LoadBalancedMode} decision for the starter's auto-configuration,
 * enforcing the load-balanced rules before the driver parses the connection string.
 * Public so that the auto-configuration can call it; applications inject the decision
 * instead.
 * <p>
 * When the connection comes from Spring Boot's {@code spring.mongodb.*} properties, the
 * raw property values are checked first, so that a broken rule is reported with the
 * property's name, value and origin rather than the driver's terse
 * {@link IllegalArgumentException}. The connection string is then obtained from the
 * {@link MongoConnectionDetails} (for {@code mongodb+srv}, this reads the DNS TXT record)
 * and checked again, which covers user-defined {@code MongoConnectionDetails} beans and
 * options from a TXT record. The driver's own exception, if it still throws one, is
 * translated. Every source goes through the same checker.
 *
 * @since 0.1.0
 */
public final class LoadBalancedModeResolver {

	private static final Log logger = LogFactory.getLog(LoadBalancedModeResolver.class);

	private final Requirement requirement;

	private final boolean failFast;

	private final ConnectionOrigins origins;

	/**
	 * Create a new resolver.
	 * @param requirement what {@code mongodb.load-balanced.enabled} asks for
	 * @param failFast whether a broken rule fails start-up
	 * ({@code mongodb.load-balanced.fail-fast})
	 * @param environment the environment, to name the origin of {@code spring.mongodb.*}
	 * values
	 * @param beanFactory the bean factory, to name the beans a connection comes from
	 */
	public LoadBalancedModeResolver(Requirement requirement, boolean failFast, Environment environment,
			ListableBeanFactory beanFactory) {
		this.requirement = requirement;
		this.failFast = failFast;
		this.origins = new ConnectionOrigins(environment, beanFactory);
	}

	/**
	 * Decide whether load-balanced mode applies to the given connection.
	 * @param details the effective connection details
	 * @param mongoProperties the MongoDB properties of Spring Boot, when available
	 * @return the decision
	 * @throws InvalidLoadBalancedConfigurationException when a rule is broken and
	 * {@code fail-fast} is on
	 */
	public LoadBalancedMode resolve(MongoConnectionDetails details, @Nullable MongoProperties mongoProperties) {
		boolean fromProperties = details instanceof PropertiesMongoConnectionDetails && mongoProperties != null;
		String uri = fromProperties ? mongoProperties.getUri() : null;
		String source;
		if (fromProperties) {
			source = (uri != null) ? this.origins.property(ConnectionOrigins.URI_PROPERTY)
					: ConnectionOrigins.HOST_PROPERTIES;
		}
		else {
			source = (details instanceof PropertiesMongoConnectionDetails) ? "spring.mongodb.* properties"
					: this.origins.bean(MongoConnectionDetails.class, details);
		}
		String uriOrigin = (uri != null) ? ConnectionOrigins.URI_PROPERTY : source;
		RawConnectionString raw = (uri != null) ? RawConnectionString.parse(uri) : null;
		if (raw != null) {
			warnDeprecatedSpelling(raw, uriOrigin);
			LoadBalancedMode rejected = reject(ConnectionSettings.of(raw, uriOrigin), source, raw.masked());
			if (rejected != null) {
				return rejected;
			}
		}
		else if (fromProperties && uri == null) {
			LoadBalancedMode rejected = reject(ConnectionSettings.of(mongoProperties, this.origins::whereToChange),
					source, null);
			if (rejected != null) {
				return rejected;
			}
		}
		ConnectionString connectionString;
		try {
			connectionString = details.getConnectionString();
		}
		catch (IllegalArgumentException ex) {
			return translate(ex, uri, raw, source, uriOrigin);
		}
		RawConnectionString parsed = (raw != null) ? raw
				: RawConnectionString.parse(connectionString.getConnectionString());
		if (raw == null && parsed != null) {
			warnDeprecatedSpelling(parsed, uriOrigin);
		}
		String txtOrigin = connectionString.isSrvProtocol()
				? ConnectionOrigins.txtRecord(connectionString.getHosts().get(0), uriOrigin) : null;
		ConnectionSettings settings = ConnectionSettings.of(connectionString, parsed,
				ConnectionOrigins.ofOptions(parsed, uriOrigin, txtOrigin));
		return decide(settings, source, "the connection string (" + source + ")",
				MaskedConnectionString.mask(connectionString.getConnectionString()));
	}

	/**
	 * Decide whether load-balanced mode applies to a client built from the application's
	 * own {@link MongoClientSettings} (Spring Boot then ignores {@code spring.mongodb.*}
	 * and its connection details).
	 * @param settings the application's settings
	 * @return the decision
	 * @throws InvalidLoadBalancedConfigurationException when a rule is broken and
	 * {@code fail-fast} is on
	 */
	public LoadBalancedMode resolve(MongoClientSettings settings) {
		String description = this.origins.bean(MongoClientSettings.class, settings);
		return decide(ConnectionSettings.of(settings.getClusterSettings(), description), description, description,
				null);
	}

	private LoadBalancedMode decide(ConnectionSettings settings, String source, String sourceInReason,
			@Nullable String masked) {
		LoadBalancedMode rejected = reject(settings, source, masked);
		if (rejected != null) {
			return rejected;
		}
		String requestedBy = requestedBy(settings);
		if (requestedBy == null || this.requirement == Requirement.OFF) {
			return new LoadBalancedMode(false, source, null, null, masked, "Neither "
					+ LoadBalancedRules.ENABLED_PROPERTY + " nor " + sourceInReason + " asks for load-balanced mode.");
		}
		return new LoadBalancedMode(true, source, requestedBy, settings.address(), masked,
				"Load-balanced mode is requested by " + requestedBy + ".");
	}

	private @Nullable String requestedBy(ConnectionSettings settings) {
		if (this.requirement == Requirement.REQUIRED) {
			return LoadBalancedRules.ENABLED_PROPERTY + "=true";
		}
		ConnectionSettings.Option<Boolean> loadBalanced = settings.loadBalanced();
		if (LoadBalancedRules.requested(settings, this.requirement) && loadBalanced != null) {
			return loadBalanced.name() + "=" + loadBalanced.shown() + " in " + loadBalanced.origin();
		}
		return null;
	}

	/*
	 * Check the settings: {@code null} when every rule holds, otherwise the failure
	 * (thrown when failing fast).
	 */
	private @Nullable LoadBalancedMode reject(ConnectionSettings settings, String source, @Nullable String masked) {
		List<LoadBalancedRuleViolation> violations = LoadBalancedRules.check(settings, this.requirement);
		return violations.isEmpty() ? null : fail(source, masked, requestedBy(settings), violations);
	}

	private LoadBalancedMode translate(IllegalArgumentException ex, @Nullable String uri,
			@Nullable RawConnectionString raw, String source, String uriOrigin) {
		String txtOrigin = (raw != null && raw.srv() && !raw.hosts().isEmpty())
				? ConnectionOrigins.txtRecord(raw.hosts().get(0), uriOrigin) : null;
		LoadBalancedRuleViolation violation = LoadBalancedRules.translate(ex, raw, uriOrigin, txtOrigin);
		if (violation == null) {
			throw MaskedConnectionString.withoutSecrets(ex, uri, source);
		}
		String requestedBy = (raw != null) ? requestedBy(ConnectionSettings.of(raw, uriOrigin)) : null;
		if (requestedBy == null) {
			// The driver enforces these rules only in load-balanced mode: something asked
			// for it.
			requestedBy = (this.requirement == Requirement.REQUIRED) ? LoadBalancedRules.ENABLED_PROPERTY + "=true"
					: "loadBalanced=true in " + ((txtOrigin != null) ? txtOrigin : uriOrigin);
		}
		return fail(source, (raw != null) ? raw.masked() : null, requestedBy, List.of(violation));
	}

	private LoadBalancedMode fail(String source, @Nullable String masked, @Nullable String requestedBy,
			List<LoadBalancedRuleViolation> violations) {
		InvalidLoadBalancedConfigurationException ex = new InvalidLoadBalancedConfigurationException(source, masked,
				(requestedBy != null) ? requestedBy : "loadBalanced=true", violations);
		if (this.failFast) {
			throw ex;
		}
		logger.warn(ex.getMessage() + System.lineSeparator()
				+ "mongodb.load-balanced.fail-fast=false: the starter leaves the connection as it is and the MongoDB"
				+ " driver decides.");
		return new LoadBalancedMode(false, source, requestedBy, null, masked,
				"The connection breaks a load-balanced rule and mongodb.load-balanced.fail-fast=false: see the"
						+ " warning logged at start-up.");
	}

	private static void warnDeprecatedSpelling(RawConnectionString raw, String origin) {
		String warning = raw.deprecatedSpellingWarning(origin);
		if (warning != null) {
			logger.warn(warning);
		}
	}

}
