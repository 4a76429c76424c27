package io.mongolb.sample;

import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The live view's traffic switch: {@code GET /api/traffic} tells whether the
 * {@link TrafficGenerator} runs and how many of its operations succeeded and failed;
 * {@code POST /api/traffic/start} and {@code /stop} switch it (both idempotent).
 */
@RestController
@RequestMapping("/api/traffic")
class TrafficController {

	private final TrafficGenerator generator;

	TrafficController(TrafficGenerator generator) {
		this.generator = generator;
	}

	@GetMapping
	Map<String, Object> status() {
		return this.generator.status();
	}

	@PostMapping("/start")
	Map<String, Object> start() {
		return this.generator.start();
	}

	@PostMapping("/stop")
	Map<String, Object> stop() {
		return this.generator.stop();
	}

}
