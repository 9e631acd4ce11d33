package io.meshfed.control.plane.istio;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Istio's {@code exportTo}: which namespaces see an object. Empty means all ({@code *}, Istio's default). */
public final class Visibility {

  private Visibility() {
  }

  public static boolean visible(List<String> exportTo, String ownNamespace, String clientNamespace) {
    if (exportTo.isEmpty() || exportTo.contains("*")) {
      return true;
    }
    if (exportTo.contains("~")) {
      return false;
    }
    return exportTo.contains(clientNamespace) || exportTo.contains(".") && ownNamespace.equals(clientNamespace);
  }

  /** Whether some namespace sees both objects. */
  public static boolean overlap(List<String> a, String namespaceA, List<String> b, String namespaceB) {
    Set<String> scopeA = scope(a, namespaceA);
    Set<String> scopeB = scope(b, namespaceB);
    if (scopeA == null) {
      return scopeB == null || !scopeB.isEmpty();
    }
    if (scopeB == null) {
      return !scopeA.isEmpty();
    }
    return scopeA.stream().anyMatch(scopeB::contains);
  }

  /** The namespaces that see an object; null for all of them. */
  private static Set<String> scope(List<String> exportTo, String own) {
    if (exportTo.isEmpty() || exportTo.contains("*")) {
      return null;
    }
    Set<String> namespaces = new HashSet<>();
    for (String entry : exportTo) {
      if (entry.equals(".")) {
        namespaces.add(own);
      } else if (!entry.equals("~")) {
        namespaces.add(entry);
      }
    }
    return namespaces;
  }
}
