package io.meshfed.gateway.l7.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;

/** A blocking HTTP client for tests (Vert.x underneath), addressing a port with any Host/authority. */
public final class Http implements AutoCloseable {

  private final HttpClient client;

  /**
   * A response.
   *
   * @param status status code
   * @param headers response headers
   * @param body the body as text
   * @param version the protocol used
   */
  public record Response(int status, MultiMap headers, String body, HttpVersion version) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String header(String name) {
      return headers.get(name);
    }
  }

  public Http(Vertx vertx) {
    this(vertx, new HttpClientOptions().setKeepAlive(true));
  }

  public Http(Vertx vertx, HttpClientOptions options) {
    this.client = vertx.createHttpClient(options);
  }

  private Http(Vertx vertx, HttpClientOptions options, PoolOptions pool) {
    this.client = vertx.createHttpClient(options, pool);
  }

  /**
   * HTTP/1.1 over one keep-alive connection: each request waits for the previous one's, so consecutive requests
   * reach the gateway's same event loop (and so its same upstream pool).
   */
  public static Http oneConnection(Vertx vertx) {
    return new Http(vertx, new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
  }

  /** HTTP/2 with prior knowledge (h2c). */
  public static Http h2c(Vertx vertx) {
    return new Http(vertx, new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  public Response get(int port, String authority, String uri, String... headers) throws Exception {
    return send(HttpMethod.GET, port, authority, uri, null, headers);
  }

  public Response send(HttpMethod method, int port, String authority, String uri, String body, String... headers)
      throws Exception {
    RequestOptions options = new RequestOptions().setMethod(method)
        .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
        .setHost(authority).setPort(port).setURI(uri);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      options.addHeader(headers[i], headers[i + 1]);
    }
    return Await.result(client.request(options).compose(request -> {
      if (authority.contains(":")) {
        request.authority(io.vertx.core.net.HostAndPort.parseAuthority(authority, port));
      }
      return (body == null ? request.send() : request.send(Buffer.buffer(body)))
          .compose(response -> response.body().map(content -> new Response(response.statusCode(),
              response.headers(), content.toString(), response.version())));
    }));
  }

  @Override
  public void close() throws Exception {
    Await.result(client.close());
  }
}
