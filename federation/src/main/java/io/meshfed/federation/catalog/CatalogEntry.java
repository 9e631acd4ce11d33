package io.meshfed.federation.catalog;

import java.util.Objects;

/**
 * One exported service of one cluster as stored in the catalog, with its fencing version: a write wins only over
 * an older (epoch, revision) pair.
 */
public record CatalogEntry(String clusterId, long epoch, long revision, ExportedService service) {

  public CatalogEntry {
    Names.requireClusterId("clusterId", clusterId);
    Objects.requireNonNull(service, "service");
  }

  public EntryKey key() {
    return new EntryKey(clusterId, service.key());
  }

  /** True when this entry's version is newer than {@code other}'s. */
  public boolean newerThan(CatalogEntry other) {
    return Versions.compare(epoch, revision, other.epoch, other.revision) > 0;
  }
}
