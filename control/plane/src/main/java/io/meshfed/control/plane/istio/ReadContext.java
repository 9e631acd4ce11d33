package io.meshfed.control.plane.istio;

/** What readers need besides the fields: the object's namespace and the mesh settings. */
record ReadContext(String namespace, MeshSettings mesh) {

  String fqdn(String host) {
    return HostNames.resolve(host, namespace, mesh.domainSuffix());
  }
}
