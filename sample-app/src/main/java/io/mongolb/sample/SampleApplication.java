package io.mongolb.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The mongolb sample: a small orders service on Spring MVC and Spring Data MongoDB, its
 * {@code MongoClient} in load-balanced mode.
 * <p>
 * By default it starts the embedded load-balanced MongoDB (two mongos-like fronts behind
 * an in-process PROXY v2 balancer), so it needs nothing installed. With
 * {@code spring.mongodb.uri} (or {@code SPRING_MONGODB_URI}) set, it connects there
 * instead: see {@link ConnectionModeEnvironmentPostProcessor}.
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
