package io.meshfed.gateway.eastwest.hello;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Fuzzing the ClientHello reader: whatever the bytes (random, a real hello cut anywhere, a real hello with bytes
 * flipped), it answers "need more", a hello, or its own {@link ClientHelloException}; it never reads outside the
 * bytes it was given (each input is an exact-capacity slice of a larger buffer, so an over-read throws
 * IndexOutOfBoundsException and fails the property), and never exceeds its bound.
 */
class ClientHelloReaderPropertyTest {

  private static final byte[] ISTIO_HELLO = Hellos.boringSsl("outbound_.9080_._.reviews.default.svc.cluster.local",
      List.of("istio-peer-exchange", "istio"));
  private static final byte[] JDK_HELLO = Hellos.jdk("reviews.default.svc.cluster.local", List.of("h2"));

  /** The reader's answer, or the typed failure; anything else thrown escapes and fails the property. */
  private static Object read(byte[] input, int max) {
    // The input sits inside a larger buffer whose trailing bytes are a canary: a slice has exactly the input's
    // capacity, so reading past it throws rather than silently reading the canary.
    ByteBuf backing = Unpooled.buffer(input.length + 64);
    backing.writeBytes(input);
    backing.writeBytes(new byte[64]);
    ByteBuf slice = backing.slice(0, input.length);
    try {
      ClientHello hello = new ClientHelloReader(max).read(slice);
      assertThat(slice.readerIndex()).isZero();
      return hello == null ? "more" : hello;
    } catch (ClientHelloException e) {
      return e;
    } finally {
      backing.release();
    }
  }

  @Property(tries = 3000)
  void randomBytesNeverEscapeTheTypedFailure(@ForAll @Size(max = 2048) byte[] bytes) {
    read(bytes, 65536);
  }

  @Property(tries = 2000)
  void randomBytesAfterAHandshakeHeaderNeverEscape(@ForAll @Size(max = 1024) byte[] tail,
      @ForAll @IntRange(min = 0, max = 0xffff) int recordLength, @ForAll @IntRange(min = 0, max = 4) int minor) {
    byte[] input = new byte[5 + tail.length];
    input[0] = 0x16;
    input[1] = 0x03;
    input[2] = (byte) minor;
    input[3] = (byte) (recordLength >> 8);
    input[4] = (byte) recordLength;
    System.arraycopy(tail, 0, input, 5, tail.length);
    read(input, 65536);
  }

  @Property(tries = 1000)
  void everyTruncationOfARealHelloNeedsMoreBytes(@ForAll("cuts") int cut) {
    for (byte[] hello : List.of(ISTIO_HELLO, JDK_HELLO)) {
      int at = Math.min(cut, hello.length - 1);
      assertThat(read(Arrays.copyOf(hello, at), 65536)).isEqualTo("more");
    }
  }

  @Property(tries = 3000)
  void flippedBytesInARealHelloNeverEscape(@ForAll("positions") List<Integer> positions,
      @ForAll byte value) {
    byte[] mutated = ISTIO_HELLO.clone();
    for (int position : positions) {
      mutated[position % mutated.length] ^= value;
    }
    Object result = read(mutated, 65536);
    if (result instanceof ClientHello hello) {
      assertThat(hello.serverName().length()).isLessThanOrEqualTo(mutated.length);
    }
  }

  @Property(tries = 1000)
  void theBoundHoldsForAnyAnnouncedLength(@ForAll @IntRange(min = 0, max = 0xffffff) int announced,
      @ForAll @IntRange(min = 512, max = 65536) int max) {
    byte[] input = {0x16, 0x03, 0x01, 0x40, 0x00, 0x01, (byte) (announced >> 16), (byte) (announced >> 8),
        (byte) announced};
    Object result = read(input, max);
    if (announced + 9 > max) {
      assertThat(result).isInstanceOfSatisfying(ClientHelloException.class,
          e -> assertThat(e.kind()).isEqualTo(ClientHelloException.Kind.TOO_LARGE));
    }
  }

  @Provide
  Arbitrary<Integer> cuts() {
    return Arbitraries.integers().between(0, Math.max(ISTIO_HELLO.length, JDK_HELLO.length));
  }

  @Provide
  Arbitrary<List<Integer>> positions() {
    return Arbitraries.integers().between(0, ISTIO_HELLO.length - 1).list().ofMinSize(1).ofMaxSize(4);
  }
}
