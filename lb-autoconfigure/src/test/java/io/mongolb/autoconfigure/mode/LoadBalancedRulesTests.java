package io.mongolb.autoconfigure.mode;

import java.util.List;

import com.mongodb.ConnectionString;
import io.mongolb.autoconfigure.FakeDnsClientProvider;
import io.mongolb.autoconfigure.mode.LoadBalancedMode.Requirement;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class LoadBalancedRulesTests {

	private List<LoadBalancedRuleViolation> validate(String uri, Boolean enabled) {
		RawConnectionString raw = RawConnectionString.parse(uri);
		assertThat(raw).isNotNull();
		return LoadBalancedRules.check(ConnectionSettings.of(raw, "spring.mongodb.uri"), Requirement.of(enabled));
	}

	@Test
	void singleHostWithLoadBalancedIsValid() {
		assertThat(validate("mongodb://lb.example.net:27017/app?loadBalanced=true", null)).isEmpty();
	}

	@Test
	void notLoadBalancedIsNotJudged() {
		assertThat(validate("mongodb://a:27017,b:27017/?replicaSet=rs0&directConnection=false", null)).isEmpty();
	}

	@Test
	void multipleHostsAreRejected() {
		assertThat(validate("mongodb://a:27017,b:27017/?loadBalanced=true", null)).singleElement()
			.satisfies((violation) -> {
				assertThat(violation.option()).isEqualTo("hosts");
				assertThat(violation.value()).isEqualTo("a:27017,b:27017");
				assertThat(violation.problem()).startsWith("2 hosts are listed");
				assertThat(violation.action()).contains("spring.mongodb.uri").contains("single address");
			});
	}

	@Test
	void replicaSetIsRejected() {
		assertThat(validate("mongodb://lb:27017/?loadBalanced=true&replicaSet=rs0", null)).singleElement()
			.satisfies((violation) -> {
				assertThat(violation.option()).isEqualTo("replicaSet");
				assertThat(violation.value()).isEqualTo("rs0");
				assertThat(violation.action()).isEqualTo("Remove replicaSet from spring.mongodb.uri.");
			});
	}

	@Test
	void directConnectionTrueIsRejectedAndFalseAccepted() {
		assertThat(validate("mongodb://lb:27017/?loadBalanced=true&directConnection=true", null)).singleElement()
			.satisfies((violation) -> assertThat(violation.option()).isEqualTo("directConnection"));
		assertThat(validate("mongodb://lb:27017/?loadBalanced=true&directConnection=false", null)).isEmpty();
	}

	@Test
	void srvMaxHostsAboveZeroIsRejectedAndZeroAccepted() {
		assertThat(validate("mongodb+srv://cluster.example.net/?loadBalanced=true&srvMaxHosts=2", null)).singleElement()
			.satisfies((violation) -> {
				assertThat(violation.option()).isEqualTo("srvMaxHosts");
				assertThat(violation.value()).isEqualTo("2");
			});
		assertThat(validate("mongodb+srv://cluster.example.net/?loadBalanced=true&srvMaxHosts=0", null)).isEmpty();
	}

	@Test
	void everyBrokenRuleIsReported() {
		assertThat(validate("mongodb://a,b/?loadBalanced=true&replicaSet=rs0&directConnection=true", null))
			.extracting(LoadBalancedRuleViolation::option)
			.containsExactly("hosts", "replicaSet", "directConnection");
	}

	@Test
	void enabledAppliesTheRulesToAStringWithoutTheOption() {
		assertThat(validate("mongodb://a:27017,b:27017/", true)).extracting(LoadBalancedRuleViolation::option)
			.containsExactly("hosts");
	}

	@Test
	void enabledConflictsWithLoadBalancedFalse() {
		assertThat(validate("mongodb://lb:27017/?loadBalanced=false", true)).singleElement().satisfies((violation) -> {
			assertThat(violation.option()).isEqualTo("loadBalanced");
			assertThat(violation.value()).isEqualTo("false");
			assertThat(violation.problem()).contains("mongodb.load-balanced.enabled=true");
		});
	}

	@Test
	void optionNamesAndDeprecatedBooleanSpellingsAreReadAsTheDriverReadsThem() {
		assertThat(validate("mongodb://a,b/?LOADBALANCED=yes", null)).hasSize(1);
		assertThat(validate("mongodb://a,b/?loadbalanced=1", null)).hasSize(1);
		assertThat(validate("mongodb://a,b/?loadBalanced=no", null)).isEmpty();
	}

	@Test
	void parsedConnectionStringIsCheckedToo() {
		ConnectionString parsed = new ConnectionString("mongodb://a:27017,b:27017/?replicaSet=rs0");
		ConnectionSettings settings = ConnectionSettings.of(parsed, null,
				(option) -> "the MongoConnectionDetails bean 'custom'");
		assertThat(LoadBalancedRules.check(settings, Requirement.REQUIRED))
			.extracting(LoadBalancedRuleViolation::option)
			.containsExactly("hosts", "replicaSet");
	}

	@Test
	void everyDriverMessageForALoadBalancedRuleIsTranslated() {
		String[] uris = { "mongodb://a,b/?loadBalanced=true", "mongodb://a/?loadBalanced=true&replicaSet=rs0",
				"mongodb://a/?loadBalanced=true&directConnection=true",
				"mongodb+srv://srv.mongolb.test/?loadBalanced=true&srvMaxHosts=3" };
		// The SRV string makes the driver read a TXT record: DNS is mocked (see
		// FakeDnsClientProvider).
		FakeDnsClientProvider.publish("srv.mongolb.test", null, "lb.mongolb.test:27017");
		String[] options = { "hosts", "replicaSet", "directConnection", "srvMaxHosts" };
		for (int i = 0; i < uris.length; i++) {
			String uri = uris[i];
			IllegalArgumentException driverError = driverError(uri);
			LoadBalancedRuleViolation violation = LoadBalancedRules.translate(driverError,
					RawConnectionString.parse(uri), "spring.mongodb.uri", null);
			assertThat(violation).as(driverError.getMessage()).isNotNull();
			assertThat(violation.option()).isEqualTo(options[i]);
		}
	}

	@Test
	void otherDriverErrorsAreNotTranslated() {
		IllegalArgumentException other = driverError("mongodb://a/?srvMaxHosts=2");
		assertThat(LoadBalancedRules.translate(other, null, "spring.mongodb.uri", null)).isNull();
	}

	private static IllegalArgumentException driverError(String uri) {
		return catchThrowableOfType(IllegalArgumentException.class, () -> new ConnectionString(uri));
	}

	@Test
	void driverRejectsWhatTheValidatorRejects() {
		// Keeps the validator honest: the driver version in use still refuses these
		// strings itself.
		assertThatIllegalArgumentException().isThrownBy(() -> new ConnectionString("mongodb://a,b/?loadBalanced=true"))
			.withMessage("Only one host can be specified with loadBalanced=true");
	}

}
