package io.meshfed.federation.catalog;

/** The grammar of cluster ids, shared by the catalog, the remote-secret registry and the CLI. */
public final class ClusterIds {

  private ClusterIds() {
  }

  /** Returns {@code value} or throws naming {@code field} and the expected form. */
  public static String require(String field, String value) {
    return Names.requireClusterId(field, value);
  }

  public static boolean isValid(String value) {
    return Names.isClusterId(value);
  }
}
