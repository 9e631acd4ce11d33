package io.meshfed.gateway.eastwest.hello;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientHelloReaderTest {

  static final String SNI = "outbound_.9080_.v2_.reviews.default.svc.cluster.local";
  static final List<String> ISTIO = List.of("istio-peer-exchange", "istio");

  private static ClientHello readAll(byte[] bytes, int max) throws ClientHelloException {
    return new ClientHelloReader(max).read(Unpooled.wrappedBuffer(bytes));
  }

  @Test
  void readsIstioSniAndAlpnFromABoringSslHello() throws Exception {
    ClientHello hello = readAll(Hellos.boringSsl(SNI, ISTIO), 65536);
    assertThat(hello.serverName()).isEqualTo(SNI);
    assertThat(hello.applicationProtocols()).containsExactly("istio-peer-exchange", "istio");
  }

  @Test
  void readsAJdkHello() throws Exception {
    ClientHello hello = readAll(Hellos.jdk("reviews.default.svc.cluster.local", List.of("h2", "http/1.1")), 65536);
    assertThat(hello.serverName()).isEqualTo("reviews.default.svc.cluster.local");
    assertThat(hello.applicationProtocols()).containsExactly("h2", "http/1.1");
  }

  @Test
  void helloWithoutSniOrAlpnGivesEmptyValues() throws Exception {
    ClientHello hello = readAll(Hellos.boringSsl(null, List.of()), 65536);
    assertThat(hello.serverName()).isEmpty();
    assertThat(hello.applicationProtocols()).isEmpty();
  }

  @Test
  void everySplitPointNeedsMoreBytesUntilTheLastOne() throws Exception {
    byte[] hello = Hellos.boringSsl(SNI, ISTIO);
    for (int split = 0; split < hello.length; split++) {
      ClientHelloReader reader = new ClientHelloReader(65536);
      ByteBuf received = Unpooled.buffer();
      received.writeBytes(hello, 0, split);
      assertThat(reader.read(received)).as("after %d of %d bytes", split, hello.length).isNull();
      received.writeBytes(hello, split, hello.length - split);
      assertThat(reader.read(received).serverName()).isEqualTo(SNI);
    }
  }

  @Test
  void helloSpreadOverManyRecordsIsReassembled() throws Exception {
    byte[] fragmented = Hellos.fragmented(Hellos.boringSsl(SNI, ISTIO), 7);
    ClientHelloReader reader = new ClientHelloReader(65536);
    ByteBuf received = Unpooled.buffer();
    ClientHello hello = null;
    for (byte b : fragmented) {
      received.writeByte(b);
      hello = reader.read(received);
    }
    assertThat(hello).isNotNull();
    assertThat(hello.serverName()).isEqualTo(SNI);
    assertThat(hello.applicationProtocols()).containsExactlyElementsOf(ISTIO);
  }

  @Test
  void plaintextIsNotTls() {
    assertThatThrownBy(() -> readAll("GET / HTTP/1.1\r\n".getBytes(), 65536))
        .isInstanceOfSatisfying(ClientHelloException.class, e -> assertThat(e.kind())
            .isEqualTo(ClientHelloException.Kind.NOT_TLS));
  }

  @Test
  void helloBeyondTheBoundIsTooLarge() {
    byte[] hello = Hellos.boringSsl(SNI, ISTIO);
    assertThatThrownBy(() -> readAll(hello, hello.length - 1))
        .isInstanceOfSatisfying(ClientHelloException.class, e -> {
          assertThat(e.kind()).isEqualTo(ClientHelloException.Kind.TOO_LARGE);
          assertThat(e.getMessage()).contains(String.valueOf(hello.length - 1));
        });
  }

  @Test
  void inconsistentLengthsAreMalformed() {
    byte[] hello = Hellos.boringSsl(SNI, ISTIO);
    // The handshake length claims one byte less than the record carries.
    byte[] shorter = Arrays.copyOf(hello, hello.length);
    int length = (shorter[6] & 0xff) << 16 | (shorter[7] & 0xff) << 8 | shorter[8] & 0xff;
    shorter[8] = (byte) (length - 1);
    assertThatThrownBy(() -> readAll(shorter, 65536))
        .isInstanceOfSatisfying(ClientHelloException.class, e -> assertThat(e.kind())
            .isEqualTo(ClientHelloException.Kind.MALFORMED));
  }

  @Test
  void nonHandshakeRecordIsMalformedOrNotTls() {
    assertThatThrownBy(() -> readAll(new byte[] {0x16, 0x02, 0x00, 0x00, 0x01, 0x01}, 65536))
        .isInstanceOfSatisfying(ClientHelloException.class, e -> assertThat(e.kind())
            .isEqualTo(ClientHelloException.Kind.MALFORMED));
    assertThatThrownBy(() -> readAll(new byte[] {0x17, 0x03, 0x03, 0x00, 0x01, 0x01}, 65536))
        .isInstanceOfSatisfying(ClientHelloException.class, e -> assertThat(e.kind())
            .isEqualTo(ClientHelloException.Kind.NOT_TLS));
  }

  @Test
  void readingNeverMovesTheBufferIndexes() throws Exception {
    byte[] hello = Hellos.boringSsl(SNI, ISTIO);
    ByteBuf buffer = Unpooled.wrappedBuffer(hello);
    new ClientHelloReader(65536).read(buffer);
    assertThat(buffer.readerIndex()).isZero();
    assertThat(buffer.writerIndex()).isEqualTo(hello.length);
  }
}
