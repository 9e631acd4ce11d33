package io.meshfed.demo;

import io.meshfed.control.client.xds.GatewayRole;

/** The two gateways each demo cluster runs: their workload names, Istio labels and {@code meshfed gateway} roles. */
enum GatewayKind {
  // The ingress first: the control plane's first translation then already sees the gateway its Istio Gateway selects.
  INGRESS("meshfed-ingressgateway", "ingressgateway", "ingress", GatewayRole.INGRESS),
  EASTWEST("meshfed-eastwestgateway", "eastwestgateway", "eastwest", GatewayRole.EASTWEST);

  private final String workload;
  private final String istioLabel;
  private final String role;
  private final GatewayRole gatewayRole;

  GatewayKind(String workload, String istioLabel, String role, GatewayRole gatewayRole) {
    this.workload = workload;
    this.istioLabel = istioLabel;
    this.role = role;
    this.gatewayRole = gatewayRole;
  }

  GatewayRole gatewayRole() {
    return gatewayRole;
  }

  /** The {@code --role} of {@code meshfed gateway}. */
  String role() {
    return role;
  }

  /** {@code eastwest-gateway}, {@code ingress-gateway}: the settings and token files' base name. */
  String fileName() {
    return role + "-gateway";
  }

  String workload() {
    return workload;
  }

  /** The {@code istio} label Istio Gateway selectors match. */
  String istioLabel() {
    return istioLabel;
  }
}
