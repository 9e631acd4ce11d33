package io.meshfed.federation.discovery;

import io.meshfed.federation.catalog.ClusterPublisher;
import io.meshfed.federation.catalog.ExportedService;
import io.meshfed.federation.catalog.ServiceKey;

/** Where an {@link ExportIndex} sends the services whose export changed. */
public interface ExportSink {

  void exported(ExportedService service);

  void withdrawn(ServiceKey key);

  /** A sink that publishes into the catalog. */
  static ExportSink of(ClusterPublisher publisher) {
    return new ExportSink() {
      @Override
      public void exported(ExportedService service) {
        publisher.publish(service);
      }

      @Override
      public void withdrawn(ServiceKey key) {
        publisher.withdraw(key);
      }
    };
  }
}
