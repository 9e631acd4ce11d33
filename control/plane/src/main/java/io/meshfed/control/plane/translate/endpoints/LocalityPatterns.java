package io.meshfed.control.plane.translate.endpoints;

import io.meshfed.federation.catalog.Locality;

/**
 * Istio's locality patterns in {@code localityLbSetting}: {@code region/zone/subzone}, any part {@code *}, trailing
 * parts omitted meaning any ("Locality weighted distribution").
 */
final class LocalityPatterns {

  private LocalityPatterns() {
  }

  static boolean matches(String pattern, Locality locality) {
    String[] parts = pattern.split("/", -1);
    String[] values = {locality.region(), locality.zone(), locality.subzone()};
    for (int i = 0; i < parts.length && i < 3; i++) {
      if (!parts[i].equals("*") && !parts[i].equals(values[i])) {
        return false;
      }
    }
    return true;
  }
}
