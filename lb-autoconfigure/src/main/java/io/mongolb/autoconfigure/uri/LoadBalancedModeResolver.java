package io.mongolb.autoconfigure.uri;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.connection.ClusterConnectionMode;
import com.mongodb.connection.ClusterSettings;
import io.mongolb.autoconfigure.LoadBalancedMode;
import io.mongolb.autoconfigure.LoadBalancedProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.mongodb.autoconfigure.MongoProperties;
import org.springframework.boot.mongodb.autoconfigure.PropertiesMongoConnectionDetails;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.Environment;

/**
 * Decides whether load-balanced mode applies, enforcing its rules before the driver parses the connection string.
 * <p>
 * When the connection comes from Spring Boot's {@code spring.mongodb.*} properties, the raw property values are
 * checked first, so that a broken rule is reported with the property's name, value and origin rather than the
 * driver's terse {@link IllegalArgumentException}. The connection string is then obtained from the
 * {@link MongoConnectionDetails} (for {@code mongodb+srv}, this reads the DNS TXT record) and checked again, which
 * covers user-defined {@code MongoConnectionDetails} beans and options from a TXT record. The driver's own exception,
 * if it still throws one, is translated.
 *
 * @since 0.1.0
 */
public final class LoadBalancedModeResolver {

	private static final Log logger = LogFactory.getLog(LoadBalancedModeResolver.class);

	private static final String URI_PROPERTY = "spring.mongodb.uri";

	private final LoadBalancedProperties properties;

	private final Environment environment;

	private final LoadBalancedUriValidator validator = new LoadBalancedUriValidator();

	/**
	 * Create a new resolver.
	 * @param properties the load-balanced properties
	 * @param environment the environment, to name the origin of {@code spring.mongodb.*} values
	 */
	public LoadBalancedModeResolver(LoadBalancedProperties properties, Environment environment) {
		this.properties = properties;
		this.environment = environment;
	}

	/**
	 * Decide whether load-balanced mode applies to the given connection.
	 * @param details the effective connection details
	 * @param detailsDescription how to name the details when they are not Spring Boot's properties, e.g.
	 * {@code the MongoConnectionDetails bean 'myDetails'}
	 * @param mongoProperties Spring Boot's MongoDB properties, when available
	 * @return the decision
	 * @throws InvalidLoadBalancedConfigurationException when a rule is broken and {@code fail-fast} is on
	 */
	public LoadBalancedMode resolve(MongoConnectionDetails details, String detailsDescription,
			@Nullable MongoProperties mongoProperties) {
		Boolean enabled = this.properties.getEnabled();
		String requestedBy = Boolean.TRUE.equals(enabled) ? LoadBalancedUriValidator.ENABLED_PROPERTY + "=true" : null;
		String source = detailsDescription;
		String uriTarget = detailsDescription;
		RawConnectionString raw = null;
		if (details instanceof PropertiesMongoConnectionDetails && mongoProperties != null) {
			if (mongoProperties.getUri() != null) {
				source = describeProperty(URI_PROPERTY);
				uriTarget = URI_PROPERTY;
				raw = RawConnectionString.parse(mongoProperties.getUri());
				if (raw != null) {
					requestedBy = (requestedBy != null) ? requestedBy : requestedInUri(raw, uriTarget);
					warnDeprecatedSpelling(raw, uriTarget);
					List<LoadBalancedRuleViolation> violations = this.validator.validate(raw, uriTarget, enabled);
					if (!violations.isEmpty()) {
						return fail(source, raw.masked(), requestedBy, violations);
					}
				}
			}
			else {
				source = "spring.mongodb.host, spring.mongodb.port and related properties";
				List<LoadBalancedRuleViolation> violations = validateHostProperties(mongoProperties, enabled);
				if (!violations.isEmpty()) {
					return fail(source, null, requestedBy, violations);
				}
			}
		}
		String txtTarget = null;
		ConnectionString connectionString;
		try {
			connectionString = details.getConnectionString();
		}
		catch (IllegalArgumentException ex) {
			txtTarget = (raw != null && raw.srv()) ? txtTarget(raw, uriTarget) : null;
			LoadBalancedRuleViolation violation = this.validator.translate(ex, raw, uriTarget, txtTarget);
			if (violation == null) {
				throw withoutSecrets(ex, raw, source);
			}
			String by = (requestedBy != null) ? requestedBy
					: "loadBalanced=true in " + ((txtTarget != null) ? txtTarget : uriTarget);
			return fail(source, (raw != null) ? raw.masked() : null, by, List.of(violation));
		}
		String masked = MaskedConnectionString.mask(connectionString.getConnectionString());
		RawConnectionString parsed = (raw != null) ? raw
				: RawConnectionString.parse(connectionString.getConnectionString());
		if (raw == null && parsed != null) {
			warnDeprecatedSpelling(parsed, uriTarget);
		}
		if (connectionString.isSrvProtocol()) {
			txtTarget = txtTarget(connectionString.getHosts().get(0), uriTarget);
		}
		UnaryOperator<String> targets = targets(parsed, uriTarget, txtTarget);
		if (requestedBy == null && Boolean.TRUE.equals(connectionString.isLoadBalanced())) {
			requestedBy = "loadBalanced=true in " + targets.apply("loadBalanced");
		}
		List<LoadBalancedRuleViolation> violations = this.validator
			.check(LoadBalancedUriValidator.Settings.of(connectionString), targets, enabled);
		if (!violations.isEmpty()) {
			return fail(source, masked, requestedBy, violations);
		}
		if (requestedBy == null) {
			return new LoadBalancedMode(false, source, null, null, masked,
					"Neither " + LoadBalancedUriValidator.ENABLED_PROPERTY + " nor the connection string ("
							+ source + ") asks for load-balanced mode.");
		}
		String address = connectionString.getHosts().get(0) + (connectionString.isSrvProtocol() ? " (SRV)" : "");
		return new LoadBalancedMode(true, source, requestedBy, address, masked,
				"Load-balanced mode is requested by " + requestedBy + ".");
	}

	/**
	 * The driver's messages may quote parts of the connection string, user information included (for example a
	 * password with an unencoded reserved character, misread as a host): never let one through as it is.
	 */
	private static IllegalArgumentException withoutSecrets(IllegalArgumentException ex,
			@Nullable RawConnectionString raw, String source) {
		if (raw == null || MaskedConnectionString.userInfoEnd(raw.text(), raw.text().indexOf("://") + 3) < 0) {
			return ex;
		}
		// The cause is left out on purpose: its message is the unmasked one.
		return new IllegalArgumentException("The MongoDB driver rejected the connection string from " + source + " ("
				+ raw.masked() + "): " + MaskedConnectionString.maskSecretsIn(String.valueOf(ex.getMessage()), raw.text())
				+ " [" + ex.getClass().getName() + "]");
	}

	/**
	 * Decide whether load-balanced mode applies to a client built from the application's own
	 * {@link MongoClientSettings} (Spring Boot then ignores {@code spring.mongodb.*} and its connection details).
	 * @param settings the application's settings
	 * @param description how to name them, e.g. {@code the MongoClientSettings bean 'settings'}
	 * @return the decision
	 * @throws InvalidLoadBalancedConfigurationException when a rule is broken and {@code fail-fast} is on
	 */
	public LoadBalancedMode resolve(MongoClientSettings settings, String description) {
		ClusterSettings cluster = settings.getClusterSettings();
		boolean loadBalanced = cluster.getMode() == ClusterConnectionMode.LOAD_BALANCED;
		String requestedBy = Boolean.TRUE.equals(this.properties.getEnabled())
				? LoadBalancedUriValidator.ENABLED_PROPERTY + "=true"
				: loadBalanced ? "load-balanced mode in " + description : null;
		if (requestedBy == null) {
			return new LoadBalancedMode(false, description, null, null, null,
					"Neither " + LoadBalancedUriValidator.ENABLED_PROPERTY + " nor " + description
							+ " asks for load-balanced mode.");
		}
		List<LoadBalancedRuleViolation> violations = new ArrayList<>();
		List<String> hosts = cluster.getHosts().stream().map(String::valueOf).toList();
		if (cluster.getSrvHost() == null && hosts.size() > 1) {
			violations.add(LoadBalancedUriValidator.multipleHosts("hosts", String.join(",", hosts), hosts.size(),
					description));
		}
		if (cluster.getRequiredReplicaSetName() != null) {
			violations.add(LoadBalancedUriValidator.replicaSet("requiredReplicaSetName",
					cluster.getRequiredReplicaSetName(), description));
		}
		if (cluster.getMode() == ClusterConnectionMode.SINGLE) {
			violations.add(new LoadBalancedRuleViolation("mode", "SINGLE",
					"load-balanced mode always connects through the balancer, never directly to one server.",
					"Do not set ClusterConnectionMode.SINGLE (directConnection=true) in " + description + "."));
		}
		Integer srvMaxHosts = cluster.getSrvMaxHosts();
		if (srvMaxHosts != null && srvMaxHosts > 0) {
			violations.add(LoadBalancedUriValidator.srvMaxHosts(srvMaxHosts.toString(), description));
		}
		if (!violations.isEmpty()) {
			return fail(description, null, requestedBy, violations);
		}
		String address = (cluster.getSrvHost() != null) ? cluster.getSrvHost() + " (SRV)" : hosts.get(0);
		return new LoadBalancedMode(true, description, requestedBy, address, null,
				"Load-balanced mode is requested by " + requestedBy + ".");
	}

	private List<LoadBalancedRuleViolation> validateHostProperties(MongoProperties mongoProperties,
			@Nullable Boolean enabled) {
		List<LoadBalancedRuleViolation> violations = new ArrayList<>();
		if (!Boolean.TRUE.equals(enabled)) {
			// Without a URI, nothing but the enabled property can ask for load-balanced mode.
			return violations;
		}
		List<String> additionalHosts = mongoProperties.getAdditionalHosts();
		if (additionalHosts != null && !additionalHosts.isEmpty()) {
			String property = "spring.mongodb.additional-hosts";
			violations.add(new LoadBalancedRuleViolation(property, String.join(",", additionalHosts),
					(additionalHosts.size() + 1) + " hosts are configured (spring.mongodb.host and " + property
							+ "), but a load-balanced connection names exactly one host: the load balancer.",
					"Remove " + property + " and set spring.mongodb.host and spring.mongodb.port to the load"
							+ " balancer's address; to reach these hosts directly instead, unset "
							+ LoadBalancedUriValidator.ENABLED_PROPERTY + "."));
		}
		String replicaSetName = mongoProperties.getReplicaSetName();
		if (replicaSetName != null && !replicaSetName.isBlank()) {
			String property = "spring.mongodb.replica-set-name";
			LoadBalancedRuleViolation rule = LoadBalancedUriValidator.replicaSet(property, replicaSetName, property);
			violations.add(new LoadBalancedRuleViolation(property, replicaSetName, rule.problem(),
					"Remove " + describeProperty(property) + "."));
		}
		return violations;
	}

	private LoadBalancedMode fail(String source, @Nullable String masked, @Nullable String requestedBy,
			List<LoadBalancedRuleViolation> violations) {
		InvalidLoadBalancedConfigurationException ex = new InvalidLoadBalancedConfigurationException(source, masked,
				(requestedBy != null) ? requestedBy : "loadBalanced=true", violations);
		if (this.properties.isFailFast()) {
			throw ex;
		}
		logger.warn(ex.getMessage() + System.lineSeparator()
				+ "mongodb.load-balanced.fail-fast=false: the starter leaves the connection as it is and the MongoDB"
				+ " driver decides.");
		return new LoadBalancedMode(false, source, requestedBy, null, masked,
				"The connection breaks a load-balanced rule and mongodb.load-balanced.fail-fast=false: see the"
						+ " warning logged at start-up.");
	}

	private static @Nullable String requestedInUri(RawConnectionString raw, String target) {
		String value = raw.option("loadBalanced");
		return Boolean.TRUE.equals(LoadBalancedUriValidator.parseBoolean(value))
				? "loadBalanced=" + value + " in " + target : null;
	}

	private static void warnDeprecatedSpelling(RawConnectionString raw, String target) {
		String value = raw.option("loadBalanced");
		Boolean parsed = LoadBalancedUriValidator.parseBoolean(value);
		if (value != null && parsed != null && !value.trim().equalsIgnoreCase(parsed.toString())) {
			logger.warn(target + " sets loadBalanced=" + value + ": the MongoDB driver reads it as " + parsed
					+ " but deprecates that spelling; write loadBalanced=" + parsed + " instead.");
		}
	}

	private static UnaryOperator<String> targets(@Nullable RawConnectionString raw, String uriTarget,
			@Nullable String txtTarget) {
		if (txtTarget == null) {
			return (option) -> uriTarget;
		}
		// A TXT record may supply replicaSet, loadBalanced and authSource; an option absent from the
		// string itself came from there.
		return (option) -> (raw != null && raw.option(option) == null
				&& ("replicaSet".equals(option) || "loadBalanced".equals(option))) ? txtTarget : uriTarget;
	}

	private static String txtTarget(RawConnectionString raw, String uriTarget) {
		return txtTarget(raw.hosts().isEmpty() ? "(unknown host)" : raw.hosts().get(0), uriTarget);
	}

	private static String txtTarget(String srvHost, String uriTarget) {
		return "the DNS TXT record of " + srvHost + " (read for " + uriTarget + ")";
	}

	private String describeProperty(String name) {
		ConfigurationPropertyName propertyName = ConfigurationPropertyName.of(name);
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
			ConfigurationProperty property = source.getConfigurationProperty(propertyName);
			if (property != null) {
				Origin origin = property.getOrigin();
				return (origin != null) ? name + " (from " + origin + ")" : name;
			}
		}
		return name;
	}

}
