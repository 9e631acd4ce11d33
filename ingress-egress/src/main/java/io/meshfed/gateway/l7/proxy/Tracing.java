package io.meshfed.gateway.l7.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Trace-context propagation. The gateway is one hop of the trace: it keeps the trace id, makes its own span id the
 * parent of the upstream request, and keeps W3C {@code traceparent} (W3C Trace Context §3.2) and B3
 * ({@code x-b3-*}, as Istio's proxies use) consistent with each other. No spans are reported.
 */
final class Tracing {

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");
  private static final AsciiString B3_TRACE = AsciiString.cached("x-b3-traceid");
  private static final AsciiString B3_SPAN = AsciiString.cached("x-b3-spanid");
  private static final AsciiString B3_PARENT = AsciiString.cached("x-b3-parentspanid");
  private static final AsciiString B3_SAMPLED = AsciiString.cached("x-b3-sampled");
  private static final AsciiString B3_FLAGS = AsciiString.cached("x-b3-flags");

  private Tracing() {
  }

  private static void hex(long value, int digits, char[] out, int at) {
    for (int i = digits - 1; i >= 0; i--) {
      out[at + i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
  }


  private static boolean isHex(String value, int length) {
    if (value == null || value.length() != length) {
      return false;
    }
    boolean nonZero = false;
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
      nonZero |= c != '0';
    }
    return nonZero;
  }

  /** Rewrites the trace headers of the upstream request; {@code samplePercent} decides new traces. */
  static void propagate(HttpHeaders headers, double samplePercent) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    // The new traceparent, "00-<trace id>-<span id>-<flags>", written into one array (this runs per request); the
    // trace id part is filled in once it is known.
    char[] out = new char[55];
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    out[35] = '-';
    out[52] = '-';
    out[53] = '0';
    hex(random.nextLong() | 1, 16, out, 36);
    String span = new String(out, 36, 16);
    String traceparent = headers.get(TRACEPARENT);
    String traceId = null;
    boolean sampled = false;
    if (traceparent != null && traceparent.length() == 55 && traceparent.startsWith("00-")
        && isHex(traceparent.substring(3, 35), 32) && isHex(traceparent.substring(36, 52), 16)) {
      traceId = traceparent.substring(3, 35);
      sampled = (Character.digit(traceparent.charAt(54), 16) & 1) == 1;
    }
    String b3Trace = headers.get(B3_TRACE);
    String b3Span = headers.get(B3_SPAN);
    if (traceId == null && b3Trace != null && (isHex(b3Trace, 32) || isHex(b3Trace, 16))) {
      traceId = b3Trace.length() == 16 ? "0000000000000000" + b3Trace : b3Trace;
      sampled = "1".equals(headers.get(B3_SAMPLED)) || "d".equals(headers.get(B3_FLAGS))
          || "1".equals(headers.get(B3_FLAGS));
    }
    if (traceId == null) {
      hex(random.nextLong(), 16, out, 3);
      hex(random.nextLong() | 1, 16, out, 19);
      traceId = new String(out, 3, 32);
      sampled = random.nextDouble() * 100 < samplePercent;
    } else {
      traceId.getChars(0, 32, out, 3);
      if (b3Trace != null && b3Span != null) {
        headers.set(B3_PARENT, b3Span);
      } else if (traceparent != null) {
        headers.set(B3_PARENT, traceparent.substring(36, 52));
      }
    }
    out[54] = sampled ? '1' : '0';
    headers.set(TRACEPARENT, new String(out));
    headers.set(B3_TRACE, b3Trace != null && b3Trace.length() == 16 ? b3Trace : traceId);
    headers.set(B3_SPAN, span);
    headers.set(B3_SAMPLED, sampled ? "1" : "0");
  }
}
