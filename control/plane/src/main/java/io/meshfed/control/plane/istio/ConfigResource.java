package io.meshfed.control.plane.istio;

/**
 * An object of meshfed's own strict, immutable config model: the Istio kinds meshfed supports and the
 * Multi-Cluster Services {@code ServiceExport}.
 */
public sealed interface ConfigResource permits VirtualService, DestinationRule, Gateway, ServiceEntry,
    PeerAuthentication, AuthorizationPolicy, RequestAuthentication, ServiceExport {

  ResourceMeta meta();

  default ResourceKey key() {
    return meta().key();
  }
}
