package io.meshfed.gateway.l7.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.l7.routing.HeaderMatch;
import io.meshfed.gateway.l7.routing.RequestView;
import io.meshfed.gateway.l7.routing.StringMatch;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The RBAC engine on its own: principals, IP blocks, headers, metadata, combinators. */
class RbacEvaluatorTest {

  private record Request(String path, String method, String peerIp, String remoteIp, String principal,
                         Map<String, Map<String, Object>> metadata) implements AuthzRequest, RequestView {
    @Override
    public RequestView request() {
      return this;
    }

    @Override
    public InetAddress directRemote() {
      return address(peerIp);
    }

    @Override
    public InetAddress remote() {
      return address(remoteIp);
    }

    @Override
    public InetSocketAddress local() {
      return new InetSocketAddress(address("10.0.0.1"), 8443);
    }

    @Override
    public String sni() {
      return "bookinfo.com";
    }

    @Override
    public boolean peerAuthenticated() {
      return !principal.isEmpty();
    }

    @Override
    public String peerPrincipal() {
      return principal;
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String authority() {
      return "bookinfo.com";
    }

    @Override
    public String pathAndQuery() {
      return path;
    }

    @Override
    public String scheme() {
      return "https";
    }

    @Override
    public String header(String name) {
      return name.equals(":method") ? method : null;
    }

    @Override
    public List<String> queryParameter(String name) {
      return List.of();
    }

    private static InetAddress address(String ip) {
      try {
        return InetAddress.getByName(ip);
      } catch (java.net.UnknownHostException e) {
        throw new IllegalArgumentException(e);
      }
    }
  }

  private static Request request(String principal, String remote) {
    return new Request("/api", "GET", "192.168.1.9", remote, principal,
        Map.of("istio_authn", Map.of("request.auth.claims", Map.of("groups", List.of("dev", "ops")))));
  }

  private static RbacSpec allow(RbacSpec.Permission permission, RbacSpec.Principal principal) {
    Map<String, RbacSpec.Policy> policies = new LinkedHashMap<>();
    policies.put("p", new RbacSpec.Policy(List.of(permission), List.of(principal)));
    return new RbacSpec(RbacSpec.Action.ALLOW, policies, false);
  }

  private static Cidr cidr(String ip, int length) throws Exception {
    return new Cidr(InetAddress.getByName(ip).getAddress(), length);
  }

  @Test
  void matchesAuthenticatedPrincipalsOnlyWithAVerifiedCertificate() {
    RbacSpec spec = allow(new RbacSpec.Permission.Any(), new RbacSpec.Principal.Authenticated(
        new StringMatch.Exact("spiffe://cluster.local/ns/default/sa/sleep", false)));

    assertThat(RbacEvaluator.evaluate(spec, request("spiffe://cluster.local/ns/default/sa/sleep", "1.2.3.4"))
        .allowed()).isTrue();
    assertThat(RbacEvaluator.evaluate(spec, request("spiffe://cluster.local/ns/other/sa/x", "1.2.3.4")).allowed())
        .isFalse();
    assertThat(RbacEvaluator.evaluate(spec, request("", "1.2.3.4")).allowed()).isFalse();
  }

  @Test
  void matchesIpBlocksOnTheClientAndRemoteIpBlocksOnThePeer() throws Exception {
    RbacSpec clients = allow(new RbacSpec.Permission.Any(), new RbacSpec.Principal.RemoteIp(cidr("1.2.3.0", 24)));
    RbacSpec peers = allow(new RbacSpec.Permission.Any(),
        new RbacSpec.Principal.DirectRemoteIp(cidr("192.168.0.0", 16)));

    assertThat(RbacEvaluator.evaluate(clients, request("", "1.2.3.4")).allowed()).isTrue();
    assertThat(RbacEvaluator.evaluate(clients, request("", "1.2.4.4")).allowed()).isFalse();
    assertThat(RbacEvaluator.evaluate(peers, request("", "8.8.8.8")).allowed()).isTrue();
  }

  @Test
  void combinesRulesAndMatchesListClaims() {
    RbacSpec.Permission getApi = new RbacSpec.Permission.And(List.of(
        new RbacSpec.Permission.Header(new HeaderMatch(":method", new StringMatch.Exact("GET", false), true, false,
            false)),
        new RbacSpec.Permission.UrlPath(new StringMatch.Prefix("/api", false))));
    RbacSpec.Principal ops = new RbacSpec.Principal.Metadata(new MetadataMatch("istio_authn",
        List.of("request.auth.claims", "groups"), new StringMatch.Exact("ops", false), false, false));
    RbacSpec spec = allow(getApi, ops);

    assertThat(RbacEvaluator.evaluate(spec, request("", "1.1.1.1")).allowed()).isTrue();
    RbacSpec notApi = allow(new RbacSpec.Permission.Not(getApi), new RbacSpec.Principal.Any());
    assertThat(RbacEvaluator.evaluate(notApi, request("", "1.1.1.1")).allowed()).isFalse();
  }

  @Test
  void denyReportsTheMatchedPolicy() {
    Map<String, RbacSpec.Policy> policies = new LinkedHashMap<>();
    policies.put("ns[foo]-policy[deny-all]-rule[0]", new RbacSpec.Policy(List.of(new RbacSpec.Permission.Any()),
        List.of(new RbacSpec.Principal.Any())));
    var decision = RbacEvaluator.evaluate(new RbacSpec(RbacSpec.Action.DENY, policies, false),
        request("", "1.1.1.1"));

    assertThat(decision.allowed()).isFalse();
    assertThat(decision.matchedPolicy()).isEqualTo("ns[foo]-policy[deny-all]-rule[0]");
  }
}
