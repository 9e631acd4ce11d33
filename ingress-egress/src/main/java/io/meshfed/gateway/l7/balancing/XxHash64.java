package io.meshfed.gateway.l7.balancing;

import java.nio.charset.StandardCharsets;

/**
 * xxHash64 (seed 0), the hash Envoy uses for consistent hashing; implemented from the public specification
 * (github.com/Cyan4973/xxHash, doc/xxhash_spec.md).
 */
public final class XxHash64 {

  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private XxHash64() {
  }

  /** The hash of a string's UTF-8 bytes. */
  public static long hash(String value) {
    return hash(value.getBytes(StandardCharsets.UTF_8));
  }

  /** The hash of {@code input}. */
  public static long hash(byte[] input) {
    int length = input.length;
    int offset = 0;
    long h;
    if (length >= 32) {
      long v1 = P1 + P2;
      long v2 = P2;
      long v3 = 0;
      long v4 = -P1;
      int limit = length - 32;
      do {
        v1 = round(v1, readLong(input, offset));
        v2 = round(v2, readLong(input, offset + 8));
        v3 = round(v3, readLong(input, offset + 16));
        v4 = round(v4, readLong(input, offset + 24));
        offset += 32;
      } while (offset <= limit);
      h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
      h = merge(h, v1);
      h = merge(h, v2);
      h = merge(h, v3);
      h = merge(h, v4);
    } else {
      h = P5;
    }
    h += length;
    while (offset + 8 <= length) {
      h ^= round(0, readLong(input, offset));
      h = Long.rotateLeft(h, 27) * P1 + P4;
      offset += 8;
    }
    if (offset + 4 <= length) {
      h ^= (readInt(input, offset) & 0xFFFFFFFFL) * P1;
      h = Long.rotateLeft(h, 23) * P2 + P3;
      offset += 4;
    }
    while (offset < length) {
      h ^= (input[offset] & 0xFFL) * P5;
      h = Long.rotateLeft(h, 11) * P1;
      offset++;
    }
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }

  private static long round(long acc, long input) {
    acc += input * P2;
    acc = Long.rotateLeft(acc, 31);
    return acc * P1;
  }

  private static long merge(long acc, long value) {
    acc ^= round(0, value);
    return acc * P1 + P4;
  }

  private static long readLong(byte[] b, int i) {
    return (b[i] & 0xFFL) | (b[i + 1] & 0xFFL) << 8 | (b[i + 2] & 0xFFL) << 16 | (b[i + 3] & 0xFFL) << 24
        | (b[i + 4] & 0xFFL) << 32 | (b[i + 5] & 0xFFL) << 40 | (b[i + 6] & 0xFFL) << 48 | (b[i + 7] & 0xFFL) << 56;
  }

  private static int readInt(byte[] b, int i) {
    return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16 | (b[i + 3] & 0xFF) << 24;
  }
}
