package io.mongolb.autoconfigure.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.mongolb.autoconfigure.topology.LoadBalancedTopology;
import io.mongolb.autoconfigure.topology.ServiceObserver;
import io.mongolb.autoconfigure.topology.TrackedService;

/**
 * Removes Micrometer's {@code mongodb.driver.commands} meters that carry a service's
 * {@code service.id} (added by {@link ServiceIdCommandTagsProvider}) once the topology no
 * longer tracks the service. Micrometer's listener never removes its meters: without
 * this, a mongos restarted a thousand times would leave a thousand series of each
 * command.
 *
 * @since 0.1.0
 */
public class DriverCommandMetersBinder implements MeterBinder {

	private final LoadBalancedTopology topology;

	/**
	 * Create a binder for the given topology.
	 * @param topology the topology model that tracks the services
	 */
	public DriverCommandMetersBinder(LoadBalancedTopology topology) {
		this.topology = topology;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		this.topology.addServiceObserver(new ServiceObserver() {

			@Override
			public void serviceRemoved(TrackedService service, Removal reason) {
				remove(registry, service.serviceIdHex());
			}

		});
	}

	private static void remove(MeterRegistry registry, String serviceIdHex) {
		for (Meter meter : registry.find(MeterNames.DRIVER_COMMANDS)
			.tag(MeterNames.SERVICE_ID, serviceIdHex)
			.meters()) {
			registry.remove(meter);
		}
	}

}
