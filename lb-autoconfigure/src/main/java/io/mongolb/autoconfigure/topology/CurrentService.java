package io.mongolb.autoconfigure.topology;

import java.util.Arrays;
import java.util.List;

import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

/**
 * Which mongos served the current thread's commands: the {@code serviceId} of the
 * connection the last command ran on, read by application code after the driver call
 * returned (for a response header, an error report, a log line).
 * <p>
 * The value is fed by the command listener of a {@link LoadBalancedTopology}: it counts
 * the commands of every {@code MongoClient} that has that listener (the client that the
 * starter's customizer set up in load-balanced mode, and any client given the listener by
 * hand). So:
 * <ul>
 * <li>with two such clients, the value is the serviceId of whichever ran the last command
 * on this thread (serviceIds are unique across mongos, so it still names one);</li>
 * <li>the commands of a client without the listener (one that is not load-balanced: the
 * starter registers nothing then) leave the value as it was, and an application whose
 * client is not load-balanced always reads {@code null};</li>
 * <li>an operation that fails before any command is sent (no server selected, no
 * connection checked out) has no command event and leaves the value as it was.</li>
 * </ul>
 * <p>
 * <strong>Synchronous driver only.</strong> The synchronous driver fires command events
 * on the thread that runs the operation, before the call returns, so the value answers
 * for the calling thread. The reactive streams driver fires them on its own threads (the
 * thread that completes the I/O, a Netty event loop with the Netty transport), so on an
 * application thread this class says nothing about its reactive operations, and a
 * {@link Scope} does not follow a reactive pipeline. Use the per-command events or
 * {@link LoadBalancedTopology#serviceIdOf(com.mongodb.connection.ConnectionId)} there.
 * <h2>Scope</h2> Without a scope, the value stays on the thread until the next command or
 * {@link #clear()}: on a pooled thread, a later task would read the serviceId of an
 * earlier one. A {@link Scope} bounds it to a unit of work (the starter opens one around
 * every servlet request):
 *
 * <pre class="code">
 * try (CurrentService.Scope scope = CurrentService.open()) {
 *     orders.insertOne(order);
 *     ObjectId mongos = CurrentService.lastServiceId(); // the mongos of the insert
 *     List&lt;ObjectId&gt; all = CurrentService.servicesInScope(); // every mongos of the scope
 * }
 * // here the thread has what it had before open()
 * </pre>
 *
 * Opening a scope starts with no value; closing it restores what the thread had before
 * (nothing, for a scope that is not nested) and removes what this class keeps on the
 * thread. A nested scope starts empty too; when it closes, the services it saw are added
 * to the enclosing scope's {@link #servicesInScope()}, and the enclosing
 * {@link #lastServiceId()} is restored.
 * <h2>MDC</h2> A scope opened with {@link #openWithMdc()} (the starter's filter does with
 * {@code mongodb.load-balanced.mdc.enabled=true}) also keeps the SLF4J MDC key
 * {@value #MDC_KEY} set to the hexadecimal serviceId while it is open, so that every log
 * line of a request names its mongos, and puts back the key's earlier value (or removes
 * it) when it closes. The MDC is written only when the value changes, not on every
 * command, and never outside such a scope.
 * <h2>Cost</h2> A command costs a thread-local read and a few field writes: no lock, no
 * allocation once the thread has seen the command's service (the per-thread holder is
 * created on a thread's first command or scope). All methods act on the current thread
 * only.
 *
 * @since 0.1.0
 */
public final class CurrentService {

	/**
	 * The MDC key that holds the hexadecimal serviceId in a scope opened with
	 * {@link #openWithMdc()}.
	 */
	public static final String MDC_KEY = "mongodb.serviceId";

	private static final ThreadLocal<State> STATE = new ThreadLocal<>();

	private static final boolean SLF4J_PRESENT = isPresent("org.slf4j.MDC");

	private CurrentService() {
	}

	/**
	 * The serviceId of the mongos that served the last command that a client with a
	 * {@link LoadBalancedTopology}'s command listener ran on the current thread (in the
	 * current scope, if one is open).
	 * @return the serviceId, or {@code null} when no such command ran on this thread
	 * since it started, since {@link #clear()}, or since the current scope was opened
	 */
	public static @Nullable ObjectId lastServiceId() {
		State state = STATE.get();
		return (state != null) ? state.last : null;
	}

	/**
	 * Every mongos that served a command in the current scope, each once, in the order
	 * first seen: a request's commands may run on several pooled connections, which the
	 * balancer may have sent to different mongos.
	 * @return the serviceIds, an immutable list; empty outside a scope or before its
	 * first command
	 */
	public static List<ObjectId> servicesInScope() {
		State state = STATE.get();
		Scope scope = (state != null) ? state.scope : null;
		return (scope != null) ? scope.services() : List.of();
	}

	/**
	 * Forgets the current thread's value: {@link #lastServiceId()} is {@code null} until
	 * the next command. In a scope, its {@link #servicesInScope()} are forgotten too and,
	 * in a scope opened with {@link #openWithMdc()}, the MDC key is removed; the scope
	 * stays open. Outside a scope, nothing of this class stays on the thread.
	 */
	public static void clear() {
		State state = STATE.get();
		if (state == null) {
			return;
		}
		state.last = null;
		Scope scope = state.scope;
		if (scope == null) {
			STATE.remove();
		}
		else {
			scope.clear();
		}
	}

	/**
	 * Opens a scope on the current thread: {@link #lastServiceId()} starts as
	 * {@code null}, and closing the scope restores what the thread had before.
	 * @return the scope, to close on this thread (try-with-resources)
	 */
	public static Scope open() {
		return open(false);
	}

	/**
	 * Opens a scope on the current thread that also keeps the SLF4J MDC key
	 * {@value #MDC_KEY} set to the hexadecimal {@link #lastServiceId()} while it is open.
	 * The key is removed at once (the scope has seen no command yet) and put back as it
	 * was when the scope closes.
	 * @return the scope, to close on this thread (try-with-resources)
	 * @throws IllegalStateException if SLF4J is not on the class path
	 */
	public static Scope openWithMdc() {
		if (!SLF4J_PRESENT) {
			throw new IllegalStateException("The MDC key " + MDC_KEY + " needs SLF4J (org.slf4j:slf4j-api) on the"
					+ " class path: add it, or open the scope without MDC (mongodb.load-balanced.mdc.enabled=false)");
		}
		return open(true);
	}

	private static Scope open(boolean mdc) {
		State state = STATE.get();
		if (state == null) {
			state = new State();
			STATE.set(state);
		}
		Scope enclosing = state.scope;
		Scope scope = new Scope(state, enclosing, mdc || (enclosing != null && enclosing.mdc));
		state.scope = scope;
		state.last = null;
		return scope;
	}

	/**
	 * Records the serviceId of a command's connection: called by the command listener for
	 * every command that succeeded or failed, on the thread the driver fires the event.
	 * Allocates nothing once the thread (and its scope) has seen the service.
	 * @param serviceId the serviceId of the connection the command ran on
	 */
	static void commandCompleted(@Nullable ObjectId serviceId) {
		State state = STATE.get();
		if (state == null) {
			if (serviceId == null) {
				return;
			}
			state = new State();
			STATE.set(state);
		}
		state.last = serviceId;
		Scope scope = state.scope;
		if (scope != null) {
			scope.commandCompleted(serviceId);
		}
	}

	private static boolean isPresent(String className) {
		try {
			Class.forName(className, false, CurrentService.class.getClassLoader());
			return true;
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return false;
		}
	}

	/**
	 * What the current thread knows: the last serviceId and the innermost open scope.
	 */
	private static final class State {

		private @Nullable ObjectId last;

		private @Nullable Scope scope;

	}

	/**
	 * A unit of work on one thread, from {@link CurrentService#open()} or
	 * {@link CurrentService#openWithMdc()} to {@link #close()}; see
	 * {@link CurrentService} for what it bounds.
	 *
	 * @since 0.1.0
	 */
	public static final class Scope implements AutoCloseable {

		private static final ObjectId[] NO_SERVICES = {};

		private static final String[] NO_HEX = {};

		private final State state;

		private final Thread thread;

		private final @Nullable Scope enclosing;

		private final @Nullable ObjectId lastBefore;

		private final boolean mdc;

		private final @Nullable String mdcBefore;

		// The distinct serviceIds seen in this scope, in the order first seen, and (for
		// MDC scopes) their hexadecimal form, computed once per service.
		private @Nullable ObjectId[] services = NO_SERVICES;

		private @Nullable String[] hex = NO_HEX;

		private int count;

		private int lastIndex = -1;

		private boolean closed;

		private Scope(State state, @Nullable Scope enclosing, boolean mdc) {
			this.state = state;
			this.thread = Thread.currentThread();
			this.enclosing = enclosing;
			this.lastBefore = state.last;
			this.mdc = mdc;
			this.mdcBefore = mdc ? Mdc.get() : null;
			if (this.mdcBefore != null) {
				Mdc.remove();
			}
		}

		/**
		 * Ends the scope: restores the thread's {@link CurrentService#lastServiceId()}
		 * (and MDC key) to what they were when it was opened, adds its services to the
		 * enclosing scope, and, for a scope that is not nested, removes what
		 * {@link CurrentService} keeps on the thread. Scopes opened inside this one and
		 * left open are closed first. Closing again does nothing.
		 * @throws IllegalStateException when called on another thread than the one that
		 * opened the scope
		 */
		@Override
		public void close() {
			if (this.closed) {
				return;
			}
			if (Thread.currentThread() != this.thread) {
				throw new IllegalStateException("A CurrentService scope must be closed on the thread that opened it ("
						+ this.thread.getName() + "), not on " + Thread.currentThread().getName());
			}
			Scope inner = this.state.scope;
			while (inner != null && inner != this) {
				inner.end();
				inner = this.state.scope;
			}
			end();
		}

		private void end() {
			this.closed = true;
			State state = this.state;
			state.scope = this.enclosing;
			state.last = this.lastBefore;
			if (this.enclosing != null) {
				for (int i = 0; i < this.count; i++) {
					ObjectId serviceId = this.services[i];
					if (serviceId != null) {
						this.enclosing.add(serviceId);
					}
				}
			}
			if (this.mdc) {
				if (this.mdcBefore != null) {
					Mdc.put(this.mdcBefore);
				}
				else {
					Mdc.remove();
				}
			}
			if (this.enclosing == null && this.lastBefore == null) {
				STATE.remove();
			}
		}

		private void commandCompleted(@Nullable ObjectId serviceId) {
			if (serviceId == null) {
				this.lastIndex = -1;
				if (this.mdc) {
					Mdc.remove();
				}
				return;
			}
			int index = this.lastIndex;
			if (index < 0 || !serviceId.equals(this.services[index])) {
				index = add(serviceId);
				this.lastIndex = index;
			}
			if (this.mdc) {
				String value = this.hex[index];
				if (value == null) {
					value = serviceId.toHexString();
					this.hex[index] = value;
				}
				// Written when the value changes, or when something else changed the key.
				if (Mdc.get() != value) {
					Mdc.put(value);
				}
			}
		}

		private int add(ObjectId serviceId) {
			for (int i = 0; i < this.count; i++) {
				if (serviceId.equals(this.services[i])) {
					return i;
				}
			}
			if (this.count == this.services.length) {
				int capacity = Math.max(4, this.count * 2);
				this.services = Arrays.copyOf(this.services, capacity);
				this.hex = Arrays.copyOf(this.hex, capacity);
			}
			this.services[this.count] = serviceId;
			return this.count++;
		}

		private void clear() {
			Arrays.fill(this.services, 0, this.count, null);
			Arrays.fill(this.hex, 0, this.count, null);
			this.count = 0;
			this.lastIndex = -1;
			if (this.mdc) {
				Mdc.remove();
			}
		}

		private List<ObjectId> services() {
			return List.of(Arrays.copyOf(this.services, this.count));
		}

	}

	/**
	 * The SLF4J MDC calls, in a class of their own so that SLF4J is needed only by
	 * {@link CurrentService#openWithMdc()}.
	 */
	private static final class Mdc {

		static @Nullable String get() {
			return MDC.get(MDC_KEY);
		}

		static void put(String value) {
			MDC.put(MDC_KEY, value);
		}

		static void remove() {
			MDC.remove(MDC_KEY);
		}

	}

}
