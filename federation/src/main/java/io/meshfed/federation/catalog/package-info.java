/**
 * The federation catalog in Hazelcast: cluster records and per-service-per-cluster entries, publishers fenced by
 * (cluster id, epoch, revision), leases, anti-entropy, and the subscriber API ({@link
 * io.meshfed.federation.catalog.FederationCatalog}) the control plane consumes. Public: the values, {@code Catalog},
 * {@code ClusterPublisher}, {@code FederationCatalog}, {@code CatalogEvent}, {@code CatalogSettings}, and {@code
 * CloseLimit} (the remote clusters' stop bounds its waits with it); everything else (serializers, entry processors,
 * the view) is package-private and may change freely, except the serializer type ids, which are wire format.
 */
package io.meshfed.federation.catalog;
