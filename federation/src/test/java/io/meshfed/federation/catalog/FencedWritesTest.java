package io.meshfed.federation.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The entry processors' fencing rules, run in memory as a partition thread would run them. */
class FencedWritesTest {

  private static final ServiceKey REVIEWS = ServiceKey.of("default", "reviews");
  private static final EntryKey KEY = new EntryKey("east", REVIEWS);

  private static CatalogEntry entry(long epoch, long revision) {
    return new CatalogEntry("east", epoch, revision, ExportedService.viaGateway(REVIEWS, List.of(), (int) revision));
  }

  private static Map.Entry<EntryKey, CatalogEntry> stored(CatalogEntry value) {
    return new AbstractMap.SimpleEntry<>(KEY, value);
  }

  @Test
  void newerRevisionOfTheSameEpochWins() {
    Map.Entry<EntryKey, CatalogEntry> current = stored(entry(5, 1));
    assertThat(new FencedPut(entry(5, 2)).process(current)).isEqualTo(WriteOutcome.APPLIED);
    assertThat(current.getValue()).isEqualTo(entry(5, 2));
    assertThat(new FencedPut(entry(5, 1)).process(current)).isEqualTo(WriteOutcome.SUPERSEDED);
    assertThat(current.getValue()).isEqualTo(entry(5, 2));
  }

  @Test
  void staleWriterCannotOverwriteNewerEpoch() {
    Map.Entry<EntryKey, CatalogEntry> current = stored(entry(7, 1));
    assertThat(new FencedPut(entry(6, 999)).process(current)).isEqualTo(WriteOutcome.FENCED);
    assertThat(new FencedPutAll(Map.of(KEY, entry(6, 1000))).process(current)).isEqualTo(WriteOutcome.FENCED);
    assertThat(new FencedRemove(6).process(current)).isEqualTo(WriteOutcome.FENCED);
    assertThat(current.getValue()).isEqualTo(entry(7, 1));
  }

  @Test
  void aNewEpochTakesOverAndMayRemove() {
    Map.Entry<EntryKey, CatalogEntry> current = stored(entry(7, 50));
    assertThat(new FencedPutAll(Map.of(KEY, entry(8, 1))).process(current)).isEqualTo(WriteOutcome.APPLIED);
    assertThat(new FencedRemove(8).process(current)).isEqualTo(WriteOutcome.APPLIED);
    assertThat(current.getValue()).isNull();
  }

  @Test
  void claimingRaisesTheEpochEvenIfTheClockWentBack() {
    Map.Entry<String, ClusterRecord> record = new AbstractMap.SimpleEntry<>("east",
        new ClusterRecord(ClusterInfo.of("east"), "old", 10_000, 10_000, true));
    long epoch = new ClaimEpoch(ClusterInfo.of("east"), "new", 5_000).process(record);
    assertThat(epoch).isEqualTo(10_001);
    assertThat(record.getValue().republished()).isFalse();
    assertThat(new Heartbeat(10_000, 6_000, null, false).process(record)).isFalse();
    assertThat(new Heartbeat(10_001, 6_000, null, true).process(record)).isTrue();
    assertThat(record.getValue().republished()).isTrue();
  }
}
