package io.meshfed.gateway.l7.cluster;

/**
 * Envoy's {@code Locality}.
 *
 * @param region region
 * @param zone zone
 * @param subZone sub-zone
 */
public record Locality(String region, String zone, String subZone) {

  /** The empty locality. */
  public static final Locality NONE = new Locality("", "", "");

  @Override
  public String toString() {
    return region + "/" + zone + "/" + subZone;
  }
}
