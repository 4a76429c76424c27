package io.mongolb.autoconfigure.topology;

import org.bson.types.ObjectId;

/**
 * What the {@link ServiceRegistry} tells about the set of tracked services as it changes.
 * Calls are rare (once per service discovered, evicted, expired or refused), made under
 * the registry's lock, in the order of the changes; an implementation must not block and
 * must not call back into the registry.
 */
interface ServiceLifecycle {

	/**
	 * A service is tracked from now on.
	 * @param service its state
	 */
	void discovered(ServiceState service);

	/**
	 * A service is no longer tracked, to make room for another.
	 * @param service its last state
	 */
	void evicted(ServiceState service);

	/**
	 * A service is no longer tracked: it had no open connection and served no command for
	 * the expiry time.
	 * @param service its last state
	 */
	void expired(ServiceState service);

	/**
	 * A service was refused: the bound was reached and every tracked service had open
	 * connections. Called once until the refused services are tried again.
	 * @param serviceId the service's id
	 */
	void untracked(ObjectId serviceId);

}
