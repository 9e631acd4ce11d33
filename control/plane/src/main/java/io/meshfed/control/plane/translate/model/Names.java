package io.meshfed.control.plane.translate.model;

/** Resource names of docs/xds-profile.md ("Names"), Istio's conventions. */
public final class Names {

  private Names() {
  }

  /** {@code outbound|9080|v1|reviews.default.svc.cluster.local}; no subset: {@code outbound|9080||...}. */
  public static String outboundCluster(int port, String subset, String fqdn) {
    return "outbound|" + port + "|" + subset + "|" + fqdn;
  }

  /** {@code outbound_.9080_.v1_.reviews.default.svc.cluster.local}; no subset: {@code _}. */
  public static String sni(int port, String subset, String fqdn) {
    return "outbound_." + port + "_." + (subset.isEmpty() ? "_" : subset + "_") + "." + fqdn;
  }

  /**
   * The east-west outbound listener's TLS-passthrough cluster for a remote service: the remote gateways without a
   * transport socket (workload-originated mTLS is forwarded untouched). Not the SNI itself, which names the inbound
   * cluster of the same service when this cluster exports it too.
   */
  public static String passthroughCluster(int port, String subset, String fqdn) {
    return "passthrough|" + port + "|" + subset + "|" + fqdn;
  }

  /** {@code 0.0.0.0_8080}. */
  public static String listener(int port) {
    return "0.0.0.0_" + port;
  }

  /** SDS: the gateway's own SVID. */
  public static final String DEFAULT_SECRET = "default";
  /** SDS: the trust bundle. */
  public static final String ROOT_CA_SECRET = "ROOTCA";

  /** SDS: a Gateway or DestinationRule {@code credentialName}. */
  public static String credential(String credentialName) {
    return "kubernetes://" + credentialName;
  }

  /** SDS: the CA of a {@code credentialName} (MUTUAL). */
  public static String credentialCa(String credentialName) {
    return "kubernetes://" + credentialName + "-cacert";
  }
}
