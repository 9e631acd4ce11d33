package io.meshfed.it.bench.eastwest;

import io.meshfed.gateway.eastwest.ApplyResult;
import io.meshfed.gateway.eastwest.EastWestGateway;
import io.meshfed.gateway.eastwest.GatewayStats;
import io.meshfed.gateway.eastwest.RejectReason;
import io.meshfed.gateway.eastwest.XdsResources;
import io.meshfed.gateway.eastwest.tls.BoringSslGatewayTls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs the east-west gateway standalone from a static xDS file (see {@link XdsJsonFile}), until SIGTERM, which
 * drains it. Usage: {@code EastWestGatewayMain <resources.json> [event loops] [verified-chain cache size]}. Prints
 * {@code ready} with the bound listeners once the config is applied; exits 1 when the config is refused.
 */
public final class EastWestGatewayMain {

  private EastWestGatewayMain() {
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: EastWestGatewayMain <resources.json> [event loops] [verified-chain cache size]");
      System.exit(2);
    }
    XdsResources resources = XdsJsonFile.read(Path.of(args[0]));
    int loops = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
    int cache = args.length > 2 ? Integer.parseInt(args[2]) : 4096;
    EastWestGateway gateway = EastWestGateway.builder().eventLoops(loops)
        .tls(new BoringSslGatewayTls(cache)).build();
    ApplyResult result = gateway.apply(resources).toCompletableFuture().get(60, TimeUnit.SECONDS);
    if (!result.accepted()) {
      System.err.println("config refused:\n" + result.errorDetail());
      gateway.close();
      System.exit(1);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        gateway.drain(Duration.ofSeconds(5)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        GatewayStats stats = gateway.stats();
        StringBuilder rejected = new StringBuilder();
        for (RejectReason reason : RejectReason.values()) {
          if (stats.rejected(reason) > 0) {
            rejected.append(' ').append(reason.label()).append('=').append(stats.rejected(reason));
          }
        }
        System.out.println("stopped: accepted=" + stats.acceptedConnections() + " rejected:" + rejected);
        gateway.close();
      } catch (Exception e) {
        System.err.println("drain failed: " + e);
      } finally {
        stopped.countDown();
      }
    }, "drain"));
    System.out.println("ready transport=" + gateway.transport() + " loops=" + loops + " pid="
        + ProcessHandle.current().pid() + " " + resources);
    stopped.await();
  }
}
