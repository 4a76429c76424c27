package io.mongolb.embedded.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The test certificate of the TLS load-balancer port tests (made once with keytool, see
 * {@code src/test/resources/tls/README.md}): a self-signed certificate for 127.0.0.1.
 */
public final class TestCertificates {

	/** The password of both test key stores, for tests only. */
	public static final String PASSWORD = "mongolb-test";

	private TestCertificates() {
	}

	/** A key manager factory with the fronts' key and certificate. */
	public static KeyManagerFactory serverKeyManagers() {
		try {
			KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			factory.init(load("tls/server.p12"), PASSWORD.toCharArray());
			return factory;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A server context with the fronts' key and certificate. */
	public static SSLContext serverContext() {
		try {
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(serverKeyManagers().getKeyManagers(), null, null);
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** A client context that trusts the test certificate only. */
	public static SSLContext clientContext() {
		try {
			TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			trust.init(load("tls/trust.p12"));
			SSLContext context = SSLContext.getInstance("TLS");
			context.init(null, trust.getTrustManagers(), null);
			return context;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static KeyStore load(String resource) throws GeneralSecurityException {
		try (InputStream in = TestCertificates.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				throw new IllegalStateException("No test key store " + resource + " on the class path");
			}
			KeyStore store = KeyStore.getInstance("PKCS12");
			store.load(in, PASSWORD.toCharArray());
			return store;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
