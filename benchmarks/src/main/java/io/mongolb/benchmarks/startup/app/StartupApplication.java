package io.mongolb.benchmarks.startup.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The application whose start-up {@code StartupBenchmark} measures: Spring Boot with
 * Spring Data MongoDB and one repository, nothing else (no web server, no actuator).
 * Whether the starter takes part is a property: {@code mongodb.load-balanced.enabled}.
 *
 * @since 0.1.0
 */
@SpringBootApplication(proxyBeanMethods = false)
public class StartupApplication {

}
