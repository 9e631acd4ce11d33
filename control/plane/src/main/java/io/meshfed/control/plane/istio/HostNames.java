package io.meshfed.control.plane.istio;

import java.util.Locale;

/**
 * Istio's host name rules.
 *
 * <p>Short names are completed against the namespace of the object that wrote them, not the service's (Istio's
 * VirtualService reference, "Note for Kubernetes users"): {@code reviews} in namespace {@code default} is
 * {@code reviews.default.svc.cluster.local}. A name that already contains a dot, {@code *} and IP addresses are
 * taken as written.
 */
public final class HostNames {

  private HostNames() {
  }

  public static String resolve(String host, String namespace, String domainSuffix) {
    if (host.equals("*") || host.contains(".") || host.contains(":")) {
      return host.toLowerCase(Locale.ROOT);
    }
    return (host + "." + namespace + ".svc." + domainSuffix).toLowerCase(Locale.ROOT);
  }

  /**
   * Whether {@code pattern} (possibly {@code *.example.com} or {@code *}) covers {@code host}, the way Istio matches
   * a VirtualService host against a Gateway server host. Both may be wildcards; a wildcard host is covered when
   * its suffix is.
   */
  public static boolean matches(String pattern, String host) {
    if (pattern.equals("*") || pattern.equals(host)) {
      return true;
    }
    if (pattern.startsWith("*")) {
      String suffix = pattern.substring(1);
      String hostSuffix = host.startsWith("*") ? host.substring(1) : host;
      return hostSuffix.endsWith(suffix) && hostSuffix.length() >= suffix.length();
    }
    return false;
  }

  /** Either covers the other: the two names can select the same requests. */
  public static boolean overlap(String a, String b) {
    return matches(a, b) || matches(b, a);
  }

  /** {@code reviews.default.svc.cluster.local} → {@code default}, or empty if not a Kubernetes service name. */
  public static String serviceNamespace(String fqdn, String domainSuffix) {
    String suffix = ".svc." + domainSuffix;
    if (!fqdn.endsWith(suffix)) {
      return "";
    }
    String[] parts = fqdn.substring(0, fqdn.length() - suffix.length()).split("\\.");
    return parts.length == 2 ? parts[1] : "";
  }

  /** {@code reviews.default.svc.cluster.local} → {@code reviews}, or empty if not a Kubernetes service name. */
  public static String serviceName(String fqdn, String domainSuffix) {
    String suffix = ".svc." + domainSuffix;
    if (!fqdn.endsWith(suffix)) {
      return "";
    }
    String[] parts = fqdn.substring(0, fqdn.length() - suffix.length()).split("\\.");
    return parts.length == 2 ? parts[0] : "";
  }
}
