package io.meshfed.federation.catalog;

import java.util.Objects;

/**
 * A service by namespace and name: the identity MCS "namespace sameness" gives a service across clusters (the same
 * namespace/name in every cluster is one service).
 */
public record ServiceKey(String namespace, String name) implements Comparable<ServiceKey> {

  public ServiceKey {
    Names.requireDnsLabel("namespace", namespace);
    Names.requireDnsLabel("name", name);
  }

  public static ServiceKey of(String namespace, String name) {
    return new ServiceKey(namespace, name);
  }

  /** The service's hostname under {@code domain}, e.g. {@code reviews.default.svc.cluster.local}. */
  public String hostname(String domain) {
    return name + "." + namespace + ".svc." + Objects.requireNonNull(domain, "domain");
  }

  @Override
  public int compareTo(ServiceKey other) {
    int byNamespace = namespace.compareTo(other.namespace);
    return byNamespace != 0 ? byNamespace : name.compareTo(other.name);
  }

  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
