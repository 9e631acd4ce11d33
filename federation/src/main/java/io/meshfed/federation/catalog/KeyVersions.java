package io.meshfed.federation.catalog;

import com.hazelcast.projection.Projection;
import java.util.Map;

/** Projects a catalog entry to its key and version, so anti-entropy compares without moving endpoint lists. */
final class KeyVersions implements Projection<Map.Entry<EntryKey, CatalogEntry>, VersionedKey> {

  private static final long serialVersionUID = 1L;

  @Override
  public VersionedKey transform(Map.Entry<EntryKey, CatalogEntry> entry) {
    CatalogEntry value = entry.getValue();
    return new VersionedKey(entry.getKey(), value.epoch(), value.revision());
  }
}
