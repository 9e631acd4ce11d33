package io.meshfed.gateway.eastwest.config;

import java.util.List;
import java.util.Objects;

/**
 * {@code LocalityLbEndpoints}: the hosts of one locality at one priority (0 = the local locality or best failover
 * match), with the locality's weight when the cluster weights localities.
 */
public record LocalityEndpoints(Locality locality, int priority, int weight, List<HostConfig> hosts) {

  /** {@code core.v3.Locality}. */
  public record Locality(String region, String zone, String subZone) {
    public static final Locality NONE = new Locality("", "", "");

    @Override
    public String toString() {
      return region + "/" + zone + "/" + subZone;
    }
  }

  public LocalityEndpoints {
    Objects.requireNonNull(locality, "locality");
    hosts = List.copyOf(hosts);
  }
}
