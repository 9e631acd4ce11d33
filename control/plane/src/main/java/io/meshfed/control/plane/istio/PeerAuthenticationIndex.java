package io.meshfed.control.plane.istio;

import io.meshfed.control.plane.istio.PeerAuthentication.MtlsMode;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves the mTLS mode a workload accepts from the PeerAuthentications in force, with Istio's precedence: a
 * workload-specific policy (selector) over the namespace-wide one over the mesh-wide one (root namespace, no
 * selector); where several policies of one scope apply, the oldest wins; {@code UNSET} inherits from the enclosing
 * scope; with no policy at all the mode is {@code PERMISSIVE}.
 */
public final class PeerAuthenticationIndex {

  private static final Comparator<PeerAuthentication> OLDEST =
      Comparator.comparing(PeerAuthentication::meta, ResourceMeta.OLDEST_FIRST);

  private final List<PeerAuthentication> policies;
  private final String rootNamespace;

  public PeerAuthenticationIndex(List<PeerAuthentication> policies, String rootNamespace) {
    this.policies = policies.stream().sorted(OLDEST).toList();
    this.rootNamespace = rootNamespace;
  }

  /** The mode for traffic to {@code port} (a workload/container port) of a workload with these labels. */
  public MtlsMode effectiveMode(String namespace, Map<String, String> labels, int port) {
    Optional<PeerAuthentication> workload = workloadPolicy(namespace, labels);
    MtlsMode portMode = workload.map(p -> p.portLevelMtls().getOrDefault(port, MtlsMode.UNSET)).orElse(MtlsMode.UNSET);
    if (portMode != MtlsMode.UNSET) {
      return portMode;
    }
    return inherited(workload.map(PeerAuthentication::mode),
        namespacePolicy(namespace).map(PeerAuthentication::mode), meshPolicy().map(PeerAuthentication::mode));
  }

  /** The mode for a workload's ports without a port-level setting. */
  public MtlsMode effectiveMode(String namespace, Map<String, String> labels) {
    return inherited(workloadPolicy(namespace, labels).map(PeerAuthentication::mode),
        namespacePolicy(namespace).map(PeerAuthentication::mode), meshPolicy().map(PeerAuthentication::mode));
  }

  public Optional<PeerAuthentication> meshPolicy() {
    return policies.stream()
        .filter(p -> p.meta().namespace().equals(rootNamespace) && p.selector().isEmpty()).findFirst();
  }

  public Optional<PeerAuthentication> namespacePolicy(String namespace) {
    if (namespace.equals(rootNamespace)) {
      return Optional.empty(); // the root namespace's selector-less policy is the mesh-wide one
    }
    return policies.stream().filter(p -> p.meta().namespace().equals(namespace) && p.selector().isEmpty())
        .findFirst();
  }

  public Optional<PeerAuthentication> workloadPolicy(String namespace, Map<String, String> labels) {
    return policies.stream().filter(p -> !p.selector().isEmpty() && p.meta().namespace().equals(namespace)
        && Selectors.matches(p.selector(), labels)).findFirst();
  }

  @SafeVarargs
  private static MtlsMode inherited(Optional<MtlsMode>... scopes) {
    for (Optional<MtlsMode> scope : scopes) {
      if (scope.isPresent() && scope.get() != MtlsMode.UNSET) {
        return scope.get();
      }
    }
    return MtlsMode.PERMISSIVE;
  }
}
