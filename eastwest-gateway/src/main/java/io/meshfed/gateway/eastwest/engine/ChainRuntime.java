package io.meshfed.gateway.eastwest.engine;

import io.meshfed.gateway.eastwest.Mode;
import io.meshfed.gateway.eastwest.config.FilterChainConfig;
import io.meshfed.gateway.eastwest.config.HttpTarget;
import io.netty.handler.ssl.SslContext;

/** A filter chain inside one snapshot: its config, its mode and, in terminate mode, its server TLS context. */
record ChainRuntime(FilterChainConfig config, Mode mode, SslContext serverContext) {

  static Mode modeOf(FilterChainConfig config) {
    boolean http = config.target() instanceof HttpTarget;
    if (config.terminatesTls()) {
      return http ? Mode.TERMINATE_HTTP : Mode.TERMINATE_TCP;
    }
    if (http) {
      return Mode.PLAINTEXT_HTTP;
    }
    return config.match().transportProtocol().equals("raw_buffer") ? Mode.PLAINTEXT_TCP : Mode.PASSTHROUGH;
  }
}
