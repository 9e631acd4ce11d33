package io.meshfed.gateway.eastwest.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.eastwest.matcher.StringMatch;
import io.meshfed.gateway.eastwest.tls.PeerIdentity;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RbacPolicyTest {

  private static RbacContext peer(String principal) {
    return new RbacContext(principal == null ? null : new PeerIdentity(principal),
        new InetSocketAddress("10.1.2.3", 5555), 15443, "outbound_.80_._.a.b.svc.cluster.local");
  }

  private static RbacPolicy policy(RbacPolicy.Action action, Principal principal) {
    return new RbacPolicy(action, Map.of("p", new RbacPolicy.Policy(List.of(new Permission.Any()),
        List.of(principal))));
  }

  @Test
  void allowAdmitsOnlyMatchingPrincipals() {
    RbacPolicy allow = policy(RbacPolicy.Action.ALLOW,
        new Principal.Authenticated(StringMatch.exact("spiffe://cluster.local/ns/a/sa/b")));
    assertThat(allow.evaluate(peer("spiffe://cluster.local/ns/a/sa/b")).allowed()).isTrue();
    assertThat(allow.evaluate(peer("spiffe://cluster.local/ns/a/sa/c")).allowed()).isFalse();
    assertThat(allow.evaluate(peer(null)).allowed()).isFalse();
  }

  @Test
  void denyRefusesMatchingNamespacesAndNamesThePolicy() {
    RbacPolicy deny = policy(RbacPolicy.Action.DENY,
        new Principal.Authenticated(StringMatch.of(StringMatch.Kind.REGEX, ".*/ns/blocked/.*", false)));
    RbacPolicy.Decision decision = deny.evaluate(peer("spiffe://cluster.local/ns/blocked/sa/x"));
    assertThat(decision.allowed()).isFalse();
    assertThat(decision.matchedPolicy()).isEqualTo("p");
    assertThat(deny.evaluate(peer("spiffe://cluster.local/ns/open/sa/x")).allowed()).isTrue();
  }

  @Test
  void denyIsEvaluatedBeforeAllow() {
    RbacPolicy deny = policy(RbacPolicy.Action.DENY,
        new Principal.Authenticated(StringMatch.prefix("spiffe://cluster.local/ns/blocked/")));
    RbacPolicy allowAll = policy(RbacPolicy.Action.ALLOW, new Principal.Authenticated(null));
    assertThat(RbacPolicy.evaluateAll(List.of(deny, allowAll), peer("spiffe://cluster.local/ns/blocked/sa/x"))
        .allowed()).isFalse();
    assertThat(RbacPolicy.evaluateAll(List.of(deny, allowAll), peer("spiffe://cluster.local/ns/ok/sa/x"))
        .allowed()).isTrue();
    assertThat(RbacPolicy.evaluateAll(List.of(deny, allowAll), peer(null)).allowed()).isFalse();
  }

  @Test
  void sourceIpMatchesItsRange() {
    Principal range = new Principal.SourceIp(new byte[] {10, 1, 0, 0}, 16);
    assertThat(range.matches(peer(null))).isTrue();
    assertThat(new Principal.SourceIp(new byte[] {10, 2, 0, 0}, 16).matches(peer(null))).isFalse();
    assertThat(new Principal.SourceIp(new byte[] {10, 1, 2, 0}, 23).matches(peer(null))).isTrue();
  }

  @Test
  void emptyAllowPolicyRefusesEveryone() {
    RbacPolicy none = new RbacPolicy(RbacPolicy.Action.ALLOW, Map.of());
    assertThat(none.evaluate(peer("spiffe://cluster.local/ns/a/sa/b")).allowed()).isFalse();
  }
}
