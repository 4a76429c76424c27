package io.mongolb.autoconfigure.topology;

/**
 * Records the commands one service served, for a {@link ServiceObserver}: called on the
 * driver's thread for every command, so it must be quick, must not block, and should not
 * allocate.
 *
 * @since 0.1.0
 */
public interface CommandRecorder {

	/**
	 * A command succeeded.
	 * @param elapsedNanos how long it took, as the driver measured it
	 */
	void commandSucceeded(long elapsedNanos);

	/**
	 * A command failed.
	 * @param elapsedNanos how long it took, as the driver measured it
	 */
	void commandFailed(long elapsedNanos);

}
