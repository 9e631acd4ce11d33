package io.meshfed.gateway.l7;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.gateway.l7.config.XdsResources;
import io.meshfed.gateway.l7.testing.Await;
import io.meshfed.gateway.l7.testing.Backend;
import io.meshfed.gateway.l7.testing.Http;
import io.meshfed.gateway.l7.testing.Xds;
import io.meshfed.control.client.gateway.IoTransport;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine proxies the same on every transport it can be asked for: the rest of the suite runs on whichever
 * {@code AUTO} picks (io_uring where the kernel allows it), so the epoll and NIO paths, which production containers
 * whose seccomp profile blocks io_uring take, are exercised here.
 */
class TransportChoiceTest extends EngineTestBase {

  @ParameterizedTest
  @EnumSource(IoTransport.class)
  void proxiesKeepAliveRequestsWithAndWithoutBodies(IoTransport choice) throws Exception {
    Backend backend = backend("b");
    L7Engine chosen = L7Engine.builder(vertx).role(Role.INGRESS).workers(1).transport(choice).build();
    try {
      XdsResources config = XdsResources.builder().listener(Xds.httpListener("l", "r"))
          .route(Xds.routes("r", Xds.vhost("b", List.of("b"), Xds.route(Xds.prefix("/"), "c"))))
          .cluster(Xds.staticCluster("c", "127.0.0.1", backend.port())).build();
      assertThat(Await.result(chosen.apply(config)).accepted()).isTrue();

      try (Http client = new Http(vertx)) {
        for (int i = 0; i < 3; i++) {
          assertThat(client.get(chosen.port("l"), "b", "/get/" + i).json().getString("backend")).isEqualTo("b");
          Http.Response posted = client.send(HttpMethod.POST, chosen.port("l"), "b", "/post/" + i, "body-" + i);
          assertThat(posted.status()).isEqualTo(200);
          assertThat(posted.json().getString("body")).isEqualTo("body-" + i);
        }
      }
      String name = chosen.transportName();
      switch (choice) {
        case NIO -> assertThat(name).isEqualTo("nio");
        case EPOLL -> assertThat(name).isEqualTo(Epoll.isAvailable() ? "epoll" : "nio");
        case AUTO -> assertThat(name)
            .isEqualTo(IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio");
      }
    } finally {
      Await.result(chosen.close());
    }
  }
}
