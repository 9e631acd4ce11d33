package io.meshfed.control.client.accesslog;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last {@code capacity} access-log entries of one gateway, indexed by request id, for the admin endpoint
 * {@code /requestz} and {@code meshfed explain <request-id>}. Every entry lands here whether or not the access-log
 * filter writes it, so a request can be explained even when the log samples it away.
 *
 * <p>Written by the {@link AccessLogger}'s worker thread; the lock in {@link #add} only keeps other writers safe and
 * costs nothing uncontended. Reads never lock.
 */
public final class RecentRequests {

  private final int capacity;
  private final AtomicReferenceArray<AccessLogEntry> ring;
  private final ConcurrentMap<String, List<AccessLogEntry>> byRequestId = new ConcurrentHashMap<>();
  // Written under the lock, read without it.
  private volatile long added;

  public RecentRequests(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
    }
    this.capacity = capacity;
    this.ring = new AtomicReferenceArray<>(capacity);
  }

  public int capacity() {
    return capacity;
  }

  /** Adds an entry, evicting the oldest when full. */
  public synchronized void add(AccessLogEntry entry) {
    int slot = (int) (added % capacity);
    added = added + 1;
    AccessLogEntry evicted = ring.getAndSet(slot, entry);
    if (evicted != null && evicted.requestId() != null) {
      byRequestId.computeIfPresent(evicted.requestId(), (id, entries) -> without(entries, evicted));
    }
    if (entry.requestId() != null) {
      byRequestId.merge(entry.requestId(), List.of(entry), RecentRequests::concat);
    }
  }

  /** The entries with this request id, oldest first; empty when none is (still) held. */
  public List<AccessLogEntry> find(String requestId) {
    return byRequestId.getOrDefault(requestId, List.of());
  }

  /** Up to {@code limit} entries, newest first. */
  public List<AccessLogEntry> latest(int limit) {
    List<AccessLogEntry> result = new ArrayList<>(Math.min(limit, capacity));
    long end = added;
    for (long i = end - 1; i >= 0 && i >= end - capacity && result.size() < limit; i--) {
      AccessLogEntry entry = ring.get((int) (i % capacity));
      if (entry != null) {
        result.add(entry);
      }
    }
    return result;
  }

  private static List<AccessLogEntry> without(List<AccessLogEntry> entries, AccessLogEntry evicted) {
    if (entries.size() == 1) {
      return entries.get(0) == evicted ? null : entries;
    }
    List<AccessLogEntry> rest = new ArrayList<>(entries.size());
    for (AccessLogEntry entry : entries) {
      if (entry != evicted) {
        rest.add(entry);
      }
    }
    return rest.isEmpty() ? null : List.copyOf(rest);
  }

  private static List<AccessLogEntry> concat(List<AccessLogEntry> first, List<AccessLogEntry> second) {
    List<AccessLogEntry> result = new ArrayList<>(first.size() + second.size());
    result.addAll(first);
    result.addAll(second);
    return List.copyOf(result);
  }
}
