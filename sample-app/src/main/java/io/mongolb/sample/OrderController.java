package io.mongolb.sample;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.data.domain.PageRequest;
import org.springframework.data.domain.Sort;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The orders API: create, read, list (paged, newest first), update and delete. Every
 * response that touched MongoDB carries the {@code X-Mongo-Service-Id} header: the
 * serviceId of the mongos that served it.
 */
@RestController
@RequestMapping("/api/orders")
class OrderController {

	private final OrderRepository repository;

	private final Clock clock;

	OrderController(OrderRepository repository) {
		this.repository = repository;
		// MongoDB stores dates in milliseconds: tick in milliseconds too, so a read
		// returns what the create returned.
		this.clock = Clock.tick(Clock.systemUTC(), Duration.ofMillis(1));
	}

	@PostMapping
	ResponseEntity<Order> create(@Valid @RequestBody OrderRequest request) {
		Order saved = this.repository.insert(Order.create(request, this.clock.instant()));
		URI location = ServletUriComponentsBuilder.fromCurrentRequest()
			.path("/{id}")
			.buildAndExpand(saved.id())
			.toUri();
		return ResponseEntity.created(location).body(saved);
	}

	@GetMapping("/{id}")
	Order read(@PathVariable String id) {
		return this.repository.findById(id).orElseThrow(() -> new OrderNotFoundException(id));
	}

	@GetMapping
	OrderPage list(@RequestParam(defaultValue = "0") @Min(0) int page,
			@RequestParam(defaultValue = "20") @Min(1) @Max(100) int size) {
		PageRequest request = PageRequest.of(page, size, Sort.by(Sort.Direction.DESC, "createdAt", "id"));
		return OrderPage.of(this.repository.findAll(request));
	}

	@PutMapping("/{id}")
	Order update(@PathVariable String id, @Valid @RequestBody OrderRequest request) {
		Order current = this.repository.findById(id).orElseThrow(() -> new OrderNotFoundException(id));
		return this.repository.save(current.update(request, this.clock.instant()));
	}

	@DeleteMapping("/{id}")
	ResponseEntity<Void> delete(@PathVariable String id) {
		// One round trip, and of two concurrent deletes only one answers 204.
		if (this.repository.removeById(id) == 0) {
			throw new OrderNotFoundException(id);
		}
		return ResponseEntity.noContent().build();
	}

}
