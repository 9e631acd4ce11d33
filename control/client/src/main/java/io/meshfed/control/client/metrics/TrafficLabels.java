package io.meshfed.control.client.metrics;

import java.util.Objects;

/**
 * The labels shared by every request and connection between one source and one destination as one gateway reports
 * them: reporter, source workload, destination workload and service, connection security policy. A data plane
 * builds one per upstream cluster (or connection) and reuses it for every request on it; {@link IstioMetrics} keys
 * its meter cache on it, so equal label sets share meters.
 */
public final class TrafficLabels {

  private final Reporter reporter;
  private final Workload source;
  private final Workload destination;
  private final DestinationService destinationService;
  private final SecurityPolicy securityPolicy;
  private final int hash;

  private TrafficLabels(Builder builder) {
    this.reporter = builder.reporter;
    this.source = builder.source;
    this.destination = builder.destination;
    this.destinationService = builder.destinationService;
    this.securityPolicy = builder.securityPolicy;
    this.hash = Objects.hash(reporter, source, destination, destinationService, securityPolicy);
  }

  public static Builder builder() {
    return new Builder();
  }

  public Reporter reporter() {
    return reporter;
  }

  public Workload source() {
    return source;
  }

  public Workload destination() {
    return destination;
  }

  public DestinationService destinationService() {
    return destinationService;
  }

  public SecurityPolicy securityPolicy() {
    return securityPolicy;
  }

  /** A builder starting from these labels. */
  public Builder toBuilder() {
    return new Builder().reporter(reporter).source(source).destination(destination)
        .destinationService(destinationService).securityPolicy(securityPolicy);
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    return other instanceof TrafficLabels that && hash == that.hash && reporter == that.reporter
        && securityPolicy == that.securityPolicy && source.equals(that.source)
        && destination.equals(that.destination) && destinationService.equals(that.destinationService);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "TrafficLabels[reporter=" + reporter.label() + ", source=" + source + ", destination=" + destination
        + ", service=" + destinationService.host() + ", security=" + securityPolicy.label() + "]";
  }

  /** Builds {@link TrafficLabels}; everything starts unknown, the reporter {@code source}. */
  public static final class Builder {
    private Reporter reporter = Reporter.SOURCE;
    private Workload source = Workload.UNKNOWN;
    private Workload destination = Workload.UNKNOWN;
    private DestinationService destinationService = DestinationService.UNKNOWN;
    private SecurityPolicy securityPolicy = SecurityPolicy.UNKNOWN;

    private Builder() {
    }

    public Builder reporter(Reporter reporter) {
      this.reporter = Objects.requireNonNull(reporter, "reporter");
      return this;
    }

    public Builder source(Workload source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    public Builder destination(Workload destination) {
      this.destination = Objects.requireNonNull(destination, "destination");
      return this;
    }

    public Builder destinationService(DestinationService destinationService) {
      this.destinationService = Objects.requireNonNull(destinationService, "destinationService");
      return this;
    }

    public Builder securityPolicy(SecurityPolicy securityPolicy) {
      this.securityPolicy = Objects.requireNonNull(securityPolicy, "securityPolicy");
      return this;
    }

    public TrafficLabels build() {
      return new TrafficLabels(this);
    }
  }
}
