package io.meshfed.federation.catalog;

import java.util.Objects;

/**
 * Where an endpoint or a cluster runs, as Envoy's {@code core.v3.Locality} (region, zone, sub-zone). Empty strings
 * mean unknown.
 */
public record Locality(String region, String zone, String subzone) {

  public static final Locality UNKNOWN = new Locality("", "", "");

  public Locality {
    region = Objects.requireNonNullElse(region, "");
    zone = Objects.requireNonNullElse(zone, "");
    subzone = Objects.requireNonNullElse(subzone, "");
  }

  public static Locality of(String region, String zone, String subzone) {
    Locality locality = new Locality(region, zone, subzone);
    return locality.equals(UNKNOWN) ? UNKNOWN : locality;
  }

  /**
   * Parses Istio's {@code istio-locality} label form {@code region.zone.subzone} (Istio's "Locality load balancing"
   * docs); missing parts stay unknown.
   */
  public static Locality parse(String dotted) {
    if (dotted == null || dotted.isBlank()) {
      return UNKNOWN;
    }
    String[] parts = dotted.split("\\.", 3);
    return of(parts[0], parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : "");
  }

  /** This locality with unknown parts taken from {@code fallback}. */
  public Locality orElse(Locality fallback) {
    return of(region.isEmpty() ? fallback.region : region, zone.isEmpty() ? fallback.zone : zone,
        subzone.isEmpty() ? fallback.subzone : subzone);
  }

  @Override
  public String toString() {
    return region + "/" + zone + "/" + subzone;
  }
}
