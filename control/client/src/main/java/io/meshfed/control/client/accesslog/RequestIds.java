package io.meshfed.control.client.accesslog;

import java.util.concurrent.ThreadLocalRandom;

/**
 * New {@code x-request-id} values, as a gateway generates them for a request that arrives without one (Envoy's HTTP
 * connection manager, "x-request-id"): random version-4 UUIDs from the calling thread's {@link ThreadLocalRandom},
 * so an event loop never contends on SecureRandom.
 */
public final class RequestIds {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RequestIds() {
  }

  /** A new random id in the UUID text form. */
  public static String next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    char[] out = new char[36];
    hex(high >>> 32, 8, out, 0);
    out[8] = '-';
    hex(high >>> 16, 4, out, 9);
    out[13] = '-';
    hex(high, 4, out, 14);
    out[18] = '-';
    hex(low >>> 48, 4, out, 19);
    out[23] = '-';
    hex(low, 12, out, 24);
    return new String(out);
  }

  private static void hex(long value, int digits, char[] out, int at) {
    for (int i = digits - 1; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
  }
}
