package io.mongolb.autoconfigure.mode;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Masking of the connection strings that a message quotes.
 */
class CredentialMaskingTests {

	@Test
	void textWithoutAConnectionStringIsUnchanged() {
		String text = "MongoSocketReadException: Prematurely reached end of stream";
		assertThat(CredentialMasking.mask(text)).isSameAs(text);
		assertThat(CredentialMasking.maskNullable(null)).isNull();
	}

	@Test
	void aConnectionStringWithoutCredentialsIsUnchanged() {
		String text = "cannot reach 'mongodb://127.0.0.1:27017,[::1]:27018/app?loadBalanced=true' now";
		assertThat(CredentialMasking.mask(text)).isEqualTo(text);
	}

	@Test
	void userInformationIsMaskedInEachQuotedConnectionString() {
		assertThat(CredentialMasking.mask("no such command: 'mongodb://user:Sup3rS3cret@db.example.net:27017/app' and "
				+ "\"MONGODB+SRV://app:t0ps3cret@cluster0.example.net/orders\""))
			.isEqualTo("no such command: 'mongodb://****@db.example.net:27017/app' and "
					+ "\"MONGODB+SRV://****@cluster0.example.net/orders\"");
	}

	@Test
	void secretOptionsAreMasked() {
		assertThat(CredentialMasking.mask("dup key: { uri: \"mongodb://db.example.net/?authMechanismProperties="
				+ "AWS_SESSION_TOKEN:abc123&tlsCertificateKeyFilePassword=Sup3rS3cret\" }"))
			.isEqualTo("dup key: { uri: \"mongodb://db.example.net/?authMechanismProperties=****"
					+ "&tlsCertificateKeyFilePassword=****\" }")
			.doesNotContain("abc123");
	}

	@Test
	void unencodedReservedCharactersInThePasswordAreMaskedToo() {
		assertThat(CredentialMasking.mask("'mongodb://user:p@ss/w?rd@db.example.net/app'"))
			.isEqualTo("'mongodb://****@db.example.net/app'");
	}

	@Test
	void aConnectionStringCutAtTheEndOfATruncatedMessageHidesItsAuthority() {
		assertThat(CredentialMasking.mask("MongoCommandException: ... 'mongodb://user:Sup3rS3c..."))
			.isEqualTo("MongoCommandException: ... 'mongodb://****...");
	}

	@Test
	void userInformationCutByABlankIsMaskedOnBothSides() {
		assertThat(CredentialMasking.mask("bad uri mongodb://user:Sup3r S3cret@db.example.net/app here"))
			.isEqualTo("bad uri mongodb://**** ****@db.example.net/app here")
			.doesNotContain("Sup3r")
			.doesNotContain("S3cret");
	}

	@Test
	void anAuthorityThatIsNotAHostListIsMasked() {
		assertThat(CredentialMasking.mask("'mongodb://user:Sup3rS3cret'")).isEqualTo("'mongodb://****'");
	}

}
