package io.meshfed.federation.relay;

import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The default peer rule: the leaf carries exactly one SPIFFE ID (X.509-SVID spec, section 2: "exactly one URI SAN")
 * in the mesh's trust domain and, when {@code allowed} is not empty, one of those IDs.
 */
public final class SpiffePeers {

  private static final int URI_SAN = 6;

  private SpiffePeers() {
  }

  public static PeerVerdict verify(List<Certificate> chain, String trustDomain, Set<String> allowed) {
    if (chain == null || chain.isEmpty() || !(chain.get(0) instanceof X509Certificate leaf)) {
      return PeerVerdict.deny("", "no X.509 certificate presented (expected: an X.509-SVID)");
    }
    List<String> uris = uris(leaf);
    if (uris.size() != 1 || !uris.get(0).startsWith("spiffe://")) {
      return PeerVerdict.deny(String.join(",", uris),
          "URI SANs " + uris + " (expected: exactly one spiffe:// ID, X.509-SVID section 2)");
    }
    String id = uris.get(0);
    String rest = id.substring("spiffe://".length());
    String domain = rest.indexOf('/') < 0 ? rest : rest.substring(0, rest.indexOf('/'));
    if (!domain.equals(trustDomain)) {
      return PeerVerdict.deny(id, "trust domain " + domain + " (expected: " + trustDomain + ")");
    }
    if (!allowed.isEmpty() && !allowed.contains(id)) {
      return PeerVerdict.deny(id, "identity not allowed to join the federation (expected one of " + allowed + ")");
    }
    return PeerVerdict.allow(id);
  }

  private static List<String> uris(X509Certificate leaf) {
    List<String> uris = new ArrayList<>();
    try {
      Collection<List<?>> names = leaf.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (name.size() >= 2 && Integer.valueOf(URI_SAN).equals(name.get(0))) {
            uris.add(String.valueOf(name.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return List.of();
    }
    return uris;
  }
}
