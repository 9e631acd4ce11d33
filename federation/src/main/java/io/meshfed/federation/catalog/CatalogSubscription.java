package io.meshfed.federation.catalog;

/** A live subscription to the catalog; closing it stops delivery (events already queued are dropped). */
public interface CatalogSubscription extends AutoCloseable {

  @Override
  void close();
}
