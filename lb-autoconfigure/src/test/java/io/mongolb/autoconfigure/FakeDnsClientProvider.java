package io.mongolb.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import com.mongodb.spi.dns.DnsClient;
import com.mongodb.spi.dns.DnsClientProvider;
import com.mongodb.spi.dns.DnsException;
import com.mongodb.spi.dns.DnsWithResponseCodeException;

/**
 * DNS is mocked here: there is no DNS server to ask on the machines that run these tests.
 * The MongoDB driver finds this provider through {@link java.util.ServiceLoader} (see
 * {@code META-INF/services} in the test resources) and uses it for every SRV and TXT
 * look-up in the test JVM, so the whole real chain (Spring Boot's properties, the
 * driver's {@code ConnectionString}, its TXT parsing and validation, its SRV monitor)
 * runs unchanged. Only names under {@code .mongolb.test} are answered. A look-up can be
 * made to fail ({@link #notFound}, {@link #noAnswer}) as the driver's own JNDI client
 * reports it, or to {@link #stall} like a DNS server that is slow to answer.
 */
public class FakeDnsClientProvider implements DnsClientProvider {

	private static final Map<String, List<String>> RECORDS = new ConcurrentHashMap<>();

	private static final Map<String, Supplier<DnsException>> FAILURES = new ConcurrentHashMap<>();

	private static final Map<String, CountDownLatch> STALLED = new ConcurrentHashMap<>();

	private static final Map<String, AtomicInteger> LOOKUPS = new ConcurrentHashMap<>();

	/**
	 * Publish the SRV and TXT records of a host, replacing what was published or made to
	 * fail for it before.
	 * @param host the SRV host name, under {@code .mongolb.test}
	 * @param txt the TXT record, e.g. {@code loadBalanced=true}, or {@code null} for none
	 * @param targets the SRV targets as {@code host:port}
	 */
	public static void publish(String host, String txt, String... targets) {
		FAILURES.remove("TXT " + host);
		FAILURES.remove("SRV _mongodb._tcp." + host);
		RECORDS.put("TXT " + host, (txt != null) ? List.of(txt) : List.of());
		RECORDS.put("SRV _mongodb._tcp." + host, java.util.Arrays.stream(targets).map((target) -> {
			String[] parts = target.split(":");
			return "0 0 " + parts[1] + " " + parts[0] + ".";
		}).toList());
	}

	/**
	 * Make one look-up fail as the driver's own JNDI client reports a name the DNS server
	 * does not know (NXDOMAIN, response code 3), until the host is published again.
	 * @param type {@code SRV} or {@code TXT}
	 * @param name the name looked up: {@code _mongodb._tcp.<host>} for SRV, the host for
	 * TXT
	 */
	public static void notFound(String type, String name) {
		FAILURES.put(type + " " + name,
				() -> new DnsWithResponseCodeException("DNS name not found [response code 3]", 3, null));
	}

	/**
	 * Make one look-up fail as the driver's own JNDI client reports a DNS server that
	 * does not answer (a plain {@link DnsException}, no response code), until the host is
	 * published again.
	 * @param type {@code SRV} or {@code TXT}
	 * @param name the name looked up: {@code _mongodb._tcp.<host>} for SRV, the host for
	 * TXT
	 */
	public static void noAnswer(String type, String name) {
		FAILURES.put(type + " " + name, () -> new DnsException("DNS error", null));
	}

	/**
	 * Hold every look-up of a name until the returned latch is counted down (at most 30
	 * s), like a DNS server that is slow to answer; then it answers as published.
	 * @param type {@code SRV} or {@code TXT}
	 * @param name the name looked up
	 * @return the latch that releases the look-ups
	 */
	public static CountDownLatch stall(String type, String name) {
		CountDownLatch release = new CountDownLatch(1);
		STALLED.put(type + " " + name, release);
		return release;
	}

	/**
	 * How many times a name was looked up (stalled look-ups included, from their start).
	 * @param type {@code SRV} or {@code TXT}
	 * @param name the name looked up
	 * @return the number of look-ups so far
	 */
	public static int lookups(String type, String name) {
		AtomicInteger count = LOOKUPS.get(type + " " + name);
		return (count != null) ? count.get() : 0;
	}

	@Override
	public DnsClient create() {
		return (name, type) -> {
			if (!name.endsWith(".mongolb.test")) {
				throw new DnsException("Fake DNS answers only for .mongolb.test names, not " + name, null);
			}
			String key = type + " " + name;
			LOOKUPS.computeIfAbsent(key, (k) -> new AtomicInteger()).incrementAndGet();
			CountDownLatch stalled = STALLED.get(key);
			if (stalled != null) {
				try {
					stalled.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					throw new DnsException("Interrupted while stalled", ex);
				}
			}
			Supplier<DnsException> failure = FAILURES.get(key);
			if (failure != null) {
				throw failure.get();
			}
			return RECORDS.getOrDefault(key, List.of());
		};
	}

}
