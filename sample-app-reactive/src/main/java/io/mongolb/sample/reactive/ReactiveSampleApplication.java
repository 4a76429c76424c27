package io.mongolb.sample.reactive;

import io.mongolb.autoconfigure.mode.LoadBalancedMode;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;

/**
 * The mongolb reactive sample: a small notes service on WebFlux and reactive Spring Data
 * MongoDB, with the reactive driver only
 * ({@code mongodb-lb-spring-boot-starter-reactive}), its {@code MongoClient} in
 * load-balanced mode on the embedded load-balanced MongoDB.
 */
@SpringBootApplication
public class ReactiveSampleApplication {

	private static final Log logger = LogFactory.getLog(ReactiveSampleApplication.class);

	public static void main(String[] args) {
		SpringApplication.run(ReactiveSampleApplication.class, args);
	}

	@Bean
	ApplicationListener<ApplicationReadyEvent> readyLine(LoadBalancedMode mode) {
		return (event) -> logger.info("mongolb reactive sample ready on http://localhost:"
				+ event.getApplicationContext().getEnvironment().getProperty("local.server.port")
				+ "/api/notes; load-balanced: " + mode.active() + ", LoadBalancer " + mode.loadBalancerAddress());
	}

}
