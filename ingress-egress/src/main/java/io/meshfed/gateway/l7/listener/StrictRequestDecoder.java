package io.meshfed.gateway.l7.listener;

import io.meshfed.gateway.l7.codec.ArrayHttpHeaders;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequestDecoder;

/**
 * Netty's request decoder with request smuggling refused: a request carrying both {@code Transfer-Encoding} and
 * {@code Content-Length} fails to decode (RFC 9112 §6.3 point 3 allows treating it as an error; Envoy rejects it
 * with 400 unless {@code allow_chunked_length}). Netty's default instead drops the Content-Length. Duplicate or
 * differing Content-Length values, invalid header characters and bare LF line endings are already refused by the
 * decoder configuration. Headers are read into {@link ArrayHttpHeaders}, which validate names and values as Netty's
 * validating headers do.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {

  StrictRequestDecoder(int maxHeaderBytes) {
    super(new HttpDecoderConfig()
        .setMaxInitialLineLength(Math.max(4096, maxHeaderBytes))
        .setMaxHeaderSize(maxHeaderBytes)
        .setMaxChunkSize(64 * 1024)
        .setAllowDuplicateContentLengths(false)
        .setStrictLineParsing(true)
        .setValidateHeaders(true)
        .setHeadersFactory(ArrayHttpHeaders.FACTORY));
  }

  @Override
  protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
    throw new SmugglingRefused();
  }
}
