package io.meshfed.it.bench.federation;

import io.meshfed.federation.catalog.Catalog;
import io.meshfed.federation.catalog.CatalogEvent;
import io.meshfed.federation.catalog.CatalogSettings;
import io.meshfed.federation.catalog.ClusterExport;
import io.meshfed.federation.catalog.ClusterInfo;
import io.meshfed.federation.catalog.ClusterPublisher;
import io.meshfed.federation.catalog.ExportedService;
import io.meshfed.federation.membership.HazelcastMember;
import io.meshfed.federation.membership.MemberSettings;
import io.meshfed.federation.membership.Membership;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One endpoint change in cluster A, visible to cluster B's subscriber: three control-plane members on loopback,
 * 1,000 services exported by A; each sample changes one endpoint of one service and waits for B's subscriber to see
 * it. Target: p50 ≤ 20 ms, p99 ≤ 100 ms.
 *
 * <p>Run with {@code it/bench/federation-bench.sh}; arguments: [samples] [warmup].
 */
public final class FederationPropagationBench {

  private FederationPropagationBench() {
  }

  public static void main(String[] args) throws Exception {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int services = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    String mesh = "bench-" + UUID.randomUUID();
    Vertx vertx = Vertx.vertx();
    int[] ports = {freePort(), freePort(), freePort()};
    List<InetSocketAddress> all = new ArrayList<>();
    for (int port : ports) {
      all.add(new InetSocketAddress("127.0.0.1", port));
    }
    List<HazelcastMember> members = new ArrayList<>();
    List<Catalog> catalogs = new ArrayList<>();
    String[] names = {"east", "west", "third"};
    for (int i = 0; i < 3; i++) {
      MemberSettings settings = MemberSettings.of(mesh, names[i],
          new Membership.Loopback(all.get(i), all));
      HazelcastMember member = HazelcastMember.start(vertx, settings, new SimpleMeterRegistry())
          .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
      members.add(member);
      catalogs.add(Catalog.start(vertx, member.hazelcast(), CatalogSettings.DEFAULTS, names[i],
          new SimpleMeterRegistry()).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS));
    }
    ClusterPublisher east = catalogs.get(0).publisher(ClusterInfo.of("east"))
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    List<ExportedService> initial = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      initial.add(BenchData.service(0, s, 10, 0));
    }
    long publishStart = System.nanoTime();
    east.replaceAll(initial).toCompletionStage().toCompletableFuture().get(600, TimeUnit.SECONDS);
    System.out.printf("initial publish of %d services x 10 endpoints: %d ms%n", services,
        (System.nanoTime() - publishStart) / 1_000_000);

    // West's subscriber completes the waiting sample when it sees the endpoint address the sample published.
    ConcurrentHashMap<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
    catalogs.get(1).view().subscribe(vertx.getOrCreateContext(), event -> {
      if (event instanceof CatalogEvent.ServiceChanged changed) {
        ClusterExport export = changed.service().clusters().get("east");
        if (export != null && !export.endpoints().isEmpty()) {
          CountDownLatch latch = waiting.remove(export.endpoints().get(0).address());
          if (latch != null) {
            latch.countDown();
          }
        }
      }
    });

    long[] nanos = new long[samples];
    for (int i = 0; i < warmup + samples; i++) {
      int service = i % services;
      ExportedService next = BenchData.service(0, service, 10, 100_000 + i);
      CountDownLatch seen = new CountDownLatch(1);
      waiting.put(next.endpoints().get(0).address(), seen);
      long start = System.nanoTime();
      east.publish(next);
      if (!seen.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("sample " + i + " never reached west's subscriber");
      }
      if (i >= warmup) {
        nanos[i - warmup] = System.nanoTime() - start;
      }
    }
    Arrays.sort(nanos);
    System.out.printf("federation propagation (3 members, loopback, %d samples): p50 %.2f ms, p99 %.2f ms, "
            + "max %.2f ms (target p50 <= 20 ms, p99 <= 100 ms)%n", samples, ms(nanos[samples / 2]),
        ms(nanos[(int) Math.min(samples - 1, Math.ceil(samples * 0.99) - 1)]), ms(nanos[samples - 1]));
    for (Catalog catalog : catalogs) {
      catalog.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    for (HazelcastMember member : members) {
      member.hazelcast().getLifecycleService().terminate();
    }
    vertx.close();
  }

  private static double ms(long nanos) {
    return nanos / 1_000_000.0;
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
