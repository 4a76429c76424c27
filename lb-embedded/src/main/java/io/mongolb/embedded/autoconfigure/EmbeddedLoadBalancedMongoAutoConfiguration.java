package io.mongolb.embedded.autoconfigure;

import com.mongodb.ConnectionString;
import io.mongolb.embedded.server.EmbeddedLoadBalancedMongo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.mongodb.autoconfigure.MongoAutoConfiguration;
import org.springframework.boot.mongodb.autoconfigure.MongoConnectionDetails;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.util.StringUtils;

/**
 * Starts an {@link EmbeddedLoadBalancedMongo} when
 * {@code mongodb.load-balanced.embedded.enabled=true} and supplies a
 * {@link MongoConnectionDetails} pointing at its balancer with {@code loadBalanced=true}.
 * <p>
 * Activation is only that explicit property, read as Spring Boot's binder reads a boolean
 * ({@code yes} and {@code on} are true). Ordered before Boot's
 * {@link MongoAutoConfiguration} and its reactive {@code MongoReactiveAutoConfiguration}
 * (either driver, or both), so Boot's properties-based connection details back off and no
 * client of either stack connects anywhere else first: {@code spring.mongodb.uri},
 * {@code host} and {@code port} are then ignored (other {@code spring.mongodb.*} client
 * settings still apply through Boot's customizers). A {@link MongoConnectionDetails} bean
 * defined by the application takes precedence over this one. The cluster is closed with
 * the application context.
 * <p>
 * With {@code mongodb.load-balanced.embedded.tls.bundle} naming a Spring SSL bundle, the
 * load-balancer ports speak TLS after the PROXY header with that bundle's key, and the
 * connection details carry {@code tls=true} and the same bundle (its trust material) for
 * Boot's MongoClient.
 *
 * @since 0.1.0
 */
@AutoConfiguration(before = MongoAutoConfiguration.class,
		beforeName = "org.springframework.boot.mongodb.autoconfigure.MongoReactiveAutoConfiguration",
		after = SslAutoConfiguration.class)
@ConditionalOnClass({ MongoConnectionDetails.class, ConnectionString.class })
@Conditional(OnEmbeddedEnabledCondition.class)
@EnableConfigurationProperties(EmbeddedLoadBalancedMongoProperties.class)
public final class EmbeddedLoadBalancedMongoAutoConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(EmbeddedLoadBalancedMongoAutoConfiguration.class);

	private static final String TLS_BUNDLE_PROPERTY = "mongodb.load-balanced.embedded.tls.bundle";

	@Bean(destroyMethod = "close")
	@ConditionalOnMissingBean
	EmbeddedLoadBalancedMongo embeddedLoadBalancedMongo(EmbeddedLoadBalancedMongoProperties properties,
			ObjectProvider<SslBundles> sslBundles) {
		EmbeddedLoadBalancedMongo.Builder builder = EmbeddedLoadBalancedMongo.builder()
			.settings(properties.toSettings())
			.mongodProxyPort(properties.isMongodProxyPort());
		SslBundle tls = tlsBundle(properties, sslBundles);
		if (tls != null) {
			logger.info("Embedded load-balanced MongoDB: TLS on the load-balancer ports with SSL bundle '{}'",
					properties.getTls().getBundle());
			builder.tls(tls.createSslContext());
		}
		return builder.start();
	}

	@Bean
	@ConditionalOnMissingBean(MongoConnectionDetails.class)
	EmbeddedMongoConnectionDetails embeddedLoadBalancedMongoConnectionDetails(EmbeddedLoadBalancedMongo mongo,
			EmbeddedLoadBalancedMongoProperties properties, ObjectProvider<SslBundles> sslBundles) {
		return new EmbeddedMongoConnectionDetails(mongo, tlsBundle(properties, sslBundles));
	}

	/*
	 * The SSL bundle named by the TLS property, or null when it is not set.
	 */
	private static @Nullable SslBundle tlsBundle(EmbeddedLoadBalancedMongoProperties properties,
			ObjectProvider<SslBundles> sslBundles) {
		String name = properties.getTls().getBundle();
		if (!StringUtils.hasText(name)) {
			return null;
		}
		SslBundles bundles = sslBundles.getIfAvailable();
		if (bundles == null) {
			throw new IllegalStateException(TLS_BUNDLE_PROPERTY + "=" + name + ": there are no SSL bundles in this "
					+ "application (Spring Boot's SslAutoConfiguration is not active); define the bundle under "
					+ "spring.ssl.bundle.jks." + name + " or spring.ssl.bundle.pem." + name);
		}
		try {
			return bundles.getBundle(name);
		}
		catch (NoSuchSslBundleException ex) {
			throw new IllegalStateException(TLS_BUNDLE_PROPERTY + "=" + name
					+ ": no SSL bundle of that name; define it " + "under spring.ssl.bundle.jks." + name
					+ " or spring.ssl.bundle.pem." + name + ", or name an existing bundle", ex);
		}
	}

}
