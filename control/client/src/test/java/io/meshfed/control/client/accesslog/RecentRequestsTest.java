package io.meshfed.control.client.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecentRequestsTest {

  private static AccessLogEntry entry(String requestId) {
    return AccessLogFilterTest.request().requestId(requestId).build();
  }

  @Test
  void findsEntriesByRequestIdUntilTheyAreEvicted() {
    RecentRequests recent = new RecentRequests(3);
    AccessLogEntry a = entry("a");
    recent.add(a);
    recent.add(entry("b"));
    recent.add(entry("c"));
    assertThat(recent.find("a")).containsExactly(a);
    recent.add(entry("d"));
    assertThat(recent.find("a")).isEmpty();
    assertThat(recent.find("d")).hasSize(1);
    assertThat(recent.latest(10)).extracting(AccessLogEntry::requestId).containsExactly("d", "c", "b");
    assertThat(recent.latest(2)).extracting(AccessLogEntry::requestId).containsExactly("d", "c");
  }

  @Test
  void keepsEveryEntryOfOneRequestId() {
    RecentRequests recent = new RecentRequests(4);
    AccessLogEntry first = entry("same");
    AccessLogEntry second = entry("same");
    recent.add(first);
    recent.add(entry("other"));
    recent.add(second);
    assertThat(recent.find("same")).containsExactly(first, second);
    recent.add(entry("x"));
    recent.add(entry("y"));
    // The first "same" was evicted, the second stays.
    assertThat(recent.find("same")).containsExactly(second);
  }

  @Test
  void entriesWithoutRequestIdAreKeptButNotIndexed() {
    RecentRequests recent = new RecentRequests(2);
    recent.add(AccessLogEntry.tcp().build());
    assertThat(recent.latest(5)).hasSize(1);
    assertThat(recent.find("")).isEqualTo(List.of());
  }

  @Test
  void capacityMustBePositive() {
    assertThatThrownBy(() -> new RecentRequests(0)).hasMessage("capacity: 0 (expected: >= 1)");
  }
}
