/**
 * The heart of the control plane: the mesh as this cluster sees it ({@link io.meshfed.control.plane.translate.MeshView}:
 * Istio config, Kubernetes service discovery, the federation catalog, the connected gateway groups) translated into
 * Envoy v3 xDS snapshots per gateway group, as docs/xds-profile.md fixes them, incrementally. Public API: {@code
 * MeshView}, {@code RemoteCatalog}, {@code GatewayGroup}, {@code GatewayGrouping}, {@code MeshTranslator},
 * {@code Translation}, {@code TranslationProblem}, {@code TlsCredential}, {@code ExtAuthzProvider},
 * {@code OutboundTrafficPolicy}. See docs/translation.md.
 */
package io.meshfed.control.plane.translate;
