package io.meshfed.control.client.metrics;

import java.util.Arrays;
import java.util.function.Function;

/**
 * A tiny copy-on-write map from a {@code long} key to meters, for the few distinct (status, flags) combinations one
 * label set sees. Lookups scan an array published through one volatile field: no lock, no allocation, no boxing.
 * The rare miss creates the meters under this object's monitor, so each combination is registered once.
 *
 * @param <A> what the creator needs to build the meters of a key
 * @param <T> the meters of one key
 */
final class MeterSlots<A, T> {

  private record Slots(long[] keys, Object[] values) {
  }

  private final Function<A, T> create;
  private volatile Slots slots = new Slots(new long[0], new Object[0]);

  MeterSlots(Function<A, T> create) {
    this.create = create;
  }

  @SuppressWarnings("unchecked")
  T get(long key, A argument) {
    Slots current = slots;
    long[] keys = current.keys;
    for (int i = 0; i < keys.length; i++) {
      if (keys[i] == key) {
        return (T) current.values[i];
      }
    }
    return addIfAbsent(key, argument);
  }

  int size() {
    return slots.keys.length;
  }

  @SuppressWarnings("unchecked")
  private synchronized T addIfAbsent(long key, A argument) {
    Slots current = slots;
    for (int i = 0; i < current.keys.length; i++) {
      if (current.keys[i] == key) {
        return (T) current.values[i];
      }
    }
    T created = create.apply(argument);
    int size = current.keys.length;
    long[] keys = Arrays.copyOf(current.keys, size + 1);
    Object[] values = Arrays.copyOf(current.values, size + 1);
    keys[size] = key;
    values[size] = created;
    slots = new Slots(keys, values);
    return created;
  }
}
