package io.meshfed.trust;

import io.meshfed.trust.InvalidSpiffeIdException.Part;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A workload identity in Istio's form: {@code spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>}.
 *
 * <p>Parsing is strict: the scheme is exactly {@code spiffe}, there is no port, user info, query or fragment (SPIFFE-ID
 * specification section 2), the namespace is a Kubernetes DNS-1123 label and the service account a DNS-1123
 * subdomain, because that is what Istio issues and what Kubernetes names allow.
 */
public record SpiffeId(TrustDomain trustDomain, String namespace, String serviceAccount) {

  private static final String SCHEME = "spiffe://";
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  /** SPIFFE-ID specification section 2.3: a SPIFFE ID is at most 2048 bytes. */
  private static final int MAX_LENGTH = 2048;

  public SpiffeId {
    Objects.requireNonNull(trustDomain, "trustDomain");
    String formatted = SCHEME + trustDomain.name() + "/ns/" + namespace + "/sa/" + serviceAccount;
    checkNamespace(formatted, namespace);
    checkServiceAccount(formatted, serviceAccount);
  }

  /** The identity of {@code serviceAccount} in {@code namespace} of {@code trustDomain}. */
  public static SpiffeId of(String trustDomain, String namespace, String serviceAccount) {
    String formatted = SCHEME + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
    String problem = TrustDomain.problem(trustDomain);
    if (problem != null) {
      throw new InvalidSpiffeIdException(formatted, Part.TRUST_DOMAIN, "trust domain " + problem);
    }
    return new SpiffeId(new TrustDomain(trustDomain), namespace, serviceAccount);
  }

  /**
   * Parses {@code spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>}.
   *
   * @throws InvalidSpiffeIdException naming the part that is wrong and what was expected
   */
  public static SpiffeId parse(String input) {
    if (input == null || input.isEmpty()) {
      throw new InvalidSpiffeIdException(input, Part.WHOLE,
          "empty (expected: spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>)");
    }
    if (input.length() > MAX_LENGTH) {
      throw new InvalidSpiffeIdException(input, Part.WHOLE,
          input.length() + " characters (expected: at most " + MAX_LENGTH + ")");
    }
    if (!input.startsWith(SCHEME)) {
      int colon = input.indexOf(':');
      String scheme = colon < 0 ? "(none)" : input.substring(0, colon);
      throw new InvalidSpiffeIdException(input, Part.SCHEME,
          "scheme " + scheme + " (expected: spiffe:// in lowercase, then the trust domain)");
    }
    String rest = input.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String host = slash < 0 ? rest : rest.substring(0, slash);
    if (host.contains("@")) {
      throw new InvalidSpiffeIdException(input, Part.TRUST_DOMAIN,
          "trust domain \"" + host + "\" has user info (expected: no '@' in a SPIFFE ID)");
    }
    if (host.contains(":")) {
      throw new InvalidSpiffeIdException(input, Part.TRUST_DOMAIN,
          "trust domain \"" + host + "\" has a port (expected: no port in a SPIFFE ID)");
    }
    String problem = TrustDomain.problem(host);
    if (problem != null) {
      throw new InvalidSpiffeIdException(input, Part.TRUST_DOMAIN, "trust domain " + problem);
    }
    String path = slash < 0 ? "" : rest.substring(slash);
    if (path.contains("?") || path.contains("#")) {
      throw new InvalidSpiffeIdException(input, Part.PATH,
          "path \"" + path + "\" has a query or fragment (expected: none in a SPIFFE ID)");
    }
    String[] segments = path.split("/", -1);
    // "/ns/<ns>/sa/<sa>" splits into ["", "ns", ns, "sa", sa].
    if (segments.length != 5 || !segments[0].isEmpty() || !segments[1].equals("ns") || !segments[3].equals("sa")) {
      throw new InvalidSpiffeIdException(input, Part.PATH,
          "path \"" + path + "\" (expected: /ns/<namespace>/sa/<service-account>)");
    }
    checkNamespace(input, segments[2]);
    checkServiceAccount(input, segments[4]);
    return new SpiffeId(new TrustDomain(host), segments[2], segments[4]);
  }

  /** The same workload in another trust domain (used when an alias is mapped back to the primary domain). */
  public SpiffeId inTrustDomain(TrustDomain other) {
    return new SpiffeId(other, namespace, serviceAccount);
  }

  /** The URI form, {@code spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>}. */
  @Override
  public String toString() {
    return SCHEME + trustDomain.name() + "/ns/" + namespace + "/sa/" + serviceAccount;
  }

  private static void checkNamespace(String input, String namespace) {
    if (namespace == null || namespace.isEmpty()) {
      throw new InvalidSpiffeIdException(input, Part.NAMESPACE,
          "namespace \"\" (expected: a Kubernetes namespace name, such as default)");
    }
    if (namespace.length() > 63 || !DNS_LABEL.matcher(namespace).matches()) {
      throw new InvalidSpiffeIdException(input, Part.NAMESPACE, "namespace \"" + namespace
          + "\" (expected: a DNS-1123 label: at most 63 lowercase letters, digits and '-', starting and ending"
          + " with a letter or digit)");
    }
  }

  private static void checkServiceAccount(String input, String serviceAccount) {
    if (serviceAccount == null || serviceAccount.isEmpty()) {
      throw new InvalidSpiffeIdException(input, Part.SERVICE_ACCOUNT,
          "service account \"\" (expected: a Kubernetes service account name, such as default)");
    }
    if (serviceAccount.length() > 253 || !DNS_SUBDOMAIN.matcher(serviceAccount).matches()) {
      throw new InvalidSpiffeIdException(input, Part.SERVICE_ACCOUNT, "service account \"" + serviceAccount
          + "\" (expected: a DNS-1123 subdomain: at most 253 lowercase letters, digits, '-' and '.')");
    }
  }
}
