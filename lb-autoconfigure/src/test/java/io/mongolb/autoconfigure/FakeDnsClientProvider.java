package io.mongolb.autoconfigure;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.mongodb.spi.dns.DnsClient;
import com.mongodb.spi.dns.DnsClientProvider;
import com.mongodb.spi.dns.DnsException;

/**
 * DNS is mocked here: there is no DNS server to ask on the machines that run these tests.
 * The MongoDB driver finds this provider through {@link java.util.ServiceLoader} (see
 * {@code META-INF/services} in the test resources) and uses it for every SRV and TXT
 * look-up in the test JVM, so the whole real chain (Spring Boot's properties, the
 * driver's {@code ConnectionString}, its TXT parsing and validation) runs unchanged. Only
 * names under {@code .mongolb.test} are answered.
 */
public class FakeDnsClientProvider implements DnsClientProvider {

	private static final Map<String, List<String>> RECORDS = new ConcurrentHashMap<>();

	/**
	 * Publish the SRV and TXT records of a host.
	 * @param host the SRV host name, under {@code .mongolb.test}
	 * @param txt the TXT record, e.g. {@code loadBalanced=true}, or {@code null} for none
	 * @param targets the SRV targets as {@code host:port}
	 */
	public static void publish(String host, String txt, String... targets) {
		RECORDS.put("TXT " + host, (txt != null) ? List.of(txt) : List.of());
		RECORDS.put("SRV _mongodb._tcp." + host, java.util.Arrays.stream(targets).map((target) -> {
			String[] parts = target.split(":");
			return "0 0 " + parts[1] + " " + parts[0] + ".";
		}).toList());
	}

	@Override
	public DnsClient create() {
		return (name, type) -> {
			if (!name.endsWith(".mongolb.test")) {
				throw new DnsException("Fake DNS answers only for .mongolb.test names, not " + name, null);
			}
			return RECORDS.getOrDefault(type + " " + name, List.of());
		};
	}

}
