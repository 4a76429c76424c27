package io.mongolb.sample;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.mongodb.autoconfigure.MongoClientSettingsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Registers the {@link ServiceIdRecorder} with the {@code MongoClient} that Spring Boot
 * builds (through a {@link MongoClientSettingsBuilderCustomizer}, as the starter
 * registers its own listeners) and a filter that records around each request under
 * {@code /api/}.
 */
@Configuration(proxyBeanMethods = false)
class ServiceIdConfiguration {

	@Bean
	ServiceIdRecorder serviceIdRecorder() {
		return new ServiceIdRecorder();
	}

	@Bean
	MongoClientSettingsBuilderCustomizer serviceIdRecorderCustomizer(ServiceIdRecorder recorder) {
		return (settings) -> settings.addCommandListener(recorder);
	}

	@Bean
	OncePerRequestFilter serviceIdFilter(ServiceIdRecorder recorder) {
		return new OncePerRequestFilter() {

			@Override
			protected boolean shouldNotFilter(HttpServletRequest request) {
				return !request.getRequestURI().startsWith("/api/");
			}

			@Override
			protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
					throws ServletException, IOException {
				recorder.begin(response);
				try {
					chain.doFilter(request, response);
				}
				finally {
					recorder.end();
				}
			}

		};
	}

}
