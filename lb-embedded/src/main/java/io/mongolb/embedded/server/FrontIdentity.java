package io.mongolb.embedded.server;

import de.bwaldvogel.mongo.bson.ObjectId;

/**
 * Who a front is: its index in the cluster and its current {@code serviceId}, which its
 * owner replaces each time the front starts (as a restarted mongos gets a new one). Read
 * by the handlers of every connection of the front.
 */
final class FrontIdentity {

	private final int index;

	private volatile ObjectId serviceId = new ObjectId();

	FrontIdentity(int index) {
		this.index = index;
	}

	int index() {
		return this.index;
	}

	/*
	 * Returns the serviceId in the store's BSON type, as hello replies carry it.
	 */
	ObjectId serviceIdForWire() {
		return this.serviceId;
	}

	/*
	 * Returns the serviceId in the driver's BSON type, as the public API returns it.
	 */
	org.bson.types.ObjectId serviceId() {
		return new org.bson.types.ObjectId(this.serviceId.getHexData());
	}

	/**
	 * Replaces the serviceId.
	 * @param serviceId the new one
	 * @return the one it replaced
	 */
	ObjectId replaceServiceId(ObjectId serviceId) {
		ObjectId previous = this.serviceId;
		this.serviceId = serviceId;
		return previous;
	}

}
