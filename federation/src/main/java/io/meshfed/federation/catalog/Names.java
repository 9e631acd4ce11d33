package io.meshfed.federation.catalog;

import java.util.regex.Pattern;

/** Validation of the names the catalog keys on, with errors of the form {@code name: value (expected: ...)}. */
final class Names {

  // Secret data keys and Istio cluster ids allow a little more than a DNS label (dots, underscores).
  private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?");

  private Names() {
  }

  static String requireDnsLabel(String field, String value) {
    if (!isDnsLabel(value)) {
      throw new IllegalArgumentException(field + ": " + value
          + " (expected: an RFC 1123 label: lower-case letters, digits and '-', at most 63 characters)");
    }
    return value;
  }

  /**
   * Whether {@code value} is an RFC 1123 label ({@code [a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?}), as Kubernetes validates
   * namespace and Service names and as cluster ids must be to appear in Secret data keys, labels and SNI. Checked by
   * hand: every ServiceKey is validated, tens of thousands per full translation of a large mesh, where the regex cost
   * more than the lookups the keys are made for.
   */
  static boolean isDnsLabel(String value) {
    if (value == null || value.isEmpty() || value.length() > 63) {
      return false;
    }
    int last = value.length() - 1;
    if (!lowerAlphanumeric(value.charAt(0)) || !lowerAlphanumeric(value.charAt(last))) {
      return false;
    }
    for (int i = 1; i < last; i++) {
      char c = value.charAt(i);
      if (c != '-' && !lowerAlphanumeric(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean lowerAlphanumeric(char c) {
    return c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
  }

  /** Cluster ids are Secret data keys (Istio's remote-secret contract), so they follow that grammar. */
  static String requireClusterId(String field, String value) {
    if (value == null || !CLUSTER_ID.matcher(value).matches()) {
      throw new IllegalArgumentException(field + ": " + value
          + " (expected: a cluster id: letters, digits, '-', '_' or '.', starting and ending with a letter or digit)");
    }
    return value;
  }

  static boolean isClusterId(String value) {
    return value != null && CLUSTER_ID.matcher(value).matches();
  }
}
