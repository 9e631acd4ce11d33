package io.meshfed.demo;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One sample workload of the demo: which cluster runs it, which service it belongs to and which version it is.
 * {@link #servedBy()} is what the backend answers with ({@code west/reviews/v2}).
 */
public record SampleWorkload(String cluster, String service, String version) {

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  public SampleWorkload {
    check("cluster", cluster);
    check("service", service);
    check("version", version);
  }

  private static void check(String field, String value) {
    Objects.requireNonNull(value, field);
    if (!DNS_LABEL.matcher(value).matches()) {
      throw new IllegalArgumentException(field + ": " + value + " (expected: a DNS label, e.g. reviews)");
    }
  }

  /** {@code <cluster>/<service>/<version>}, the value of {@link SampleBackend#SERVED_BY}. */
  public String servedBy() {
    return cluster + "/" + service + "/" + version;
  }

  /** The pod name the demo's generated config gives this workload ({@code reviews-v2-west}). */
  public String podName() {
    return service + "-" + version + "-" + cluster;
  }
}
