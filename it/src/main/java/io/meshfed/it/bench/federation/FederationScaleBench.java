package io.meshfed.it.bench.federation;

import io.meshfed.federation.catalog.Catalog;
import io.meshfed.federation.catalog.CatalogEvent;
import io.meshfed.federation.catalog.CatalogSettings;
import io.meshfed.federation.catalog.ClusterInfo;
import io.meshfed.federation.catalog.ClusterPublisher;
import io.meshfed.federation.catalog.ExportedService;
import io.meshfed.federation.catalog.FederatedService;
import io.meshfed.federation.catalog.ServiceKey;
import io.meshfed.federation.membership.HazelcastMember;
import io.meshfed.federation.membership.MemberSettings;
import io.meshfed.federation.membership.Membership;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scale: 3 clusters × 10,000 services × 10 endpoints, each cluster's control plane a separate JVM (so the heap of
 * each member is its own), then a fourth member joins and its initial sync is timed. Targets: initial sync ≤ 5 s,
 * heap per member ≤ 512 MB (the script runs every JVM with -Xmx512m).
 *
 * <p>Modes: {@code publish <mesh> <index 0..2> <ports...>} runs one cluster's control plane and prints READY once it
 * published and its own view holds all three clusters; {@code join <mesh> <ports...>} joins and prints the figures.
 * Driven by {@code it/bench/federation-bench.sh}.
 */
public final class FederationScaleBench {

  static final int SERVICES = 10_000;
  static final int ENDPOINTS = 10;

  private FederationScaleBench() {
  }

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String mesh = args[1];
    if (mode.equals("publish")) {
      publish(mesh, Integer.parseInt(args[2]), ports(args, 3));
    } else if (mode.equals("join")) {
      join(mesh, ports(args, 2));
    } else {
      throw new IllegalArgumentException("mode: " + mode + " (expected: publish or join)");
    }
  }

  private static List<InetSocketAddress> ports(String[] args, int from) {
    List<InetSocketAddress> ports = new ArrayList<>();
    for (int i = from; i < args.length; i++) {
      ports.add(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[i])));
    }
    return ports;
  }

  private static void publish(String mesh, int index, List<InetSocketAddress> members) throws Exception {
    Vertx vertx = Vertx.vertx();
    String name = "cluster-" + index;
    HazelcastMember member = HazelcastMember.start(vertx, MemberSettings.of(mesh, name,
            new Membership.Loopback(members.get(index), members.subList(0, 3))), new SimpleMeterRegistry())
        .toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
    Catalog catalog = Catalog.start(vertx, member.hazelcast(), CatalogSettings.DEFAULTS, name,
        new SimpleMeterRegistry()).toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
    ClusterPublisher publisher = catalog.publisher(ClusterInfo.of(name)).toCompletionStage().toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    List<ExportedService> services = new ArrayList<>(SERVICES);
    for (int s = 0; s < SERVICES; s++) {
      services.add(BenchData.service(index, s, ENDPOINTS, 0));
    }
    long start = System.nanoTime();
    publisher.replaceAll(services).toCompletionStage().toCompletableFuture().get(600, TimeUnit.SECONDS);
    long publishMillis = (System.nanoTime() - start) / 1_000_000;
    services = null;
    awaitEntries(vertx, catalog, 3 * SERVICES);
    System.out.printf("member %s: published %d services x %d endpoints in %d ms; heap after GC %s%n", name,
        SERVICES, ENDPOINTS, publishMillis, BenchData.mib(BenchData.usedHeapAfterGc()));
    System.out.println("READY");
    System.out.flush();
    // Stay a member until the driving script stops this JVM.
    Thread.sleep(Long.MAX_VALUE);
  }

  private static void join(String mesh, List<InetSocketAddress> members) throws Exception {
    Vertx vertx = Vertx.vertx();
    long start = System.nanoTime();
    HazelcastMember member = HazelcastMember.start(vertx, MemberSettings.of(mesh, "joiner",
            new Membership.Loopback(members.get(3), members)), new SimpleMeterRegistry())
        .toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
    long joined = System.nanoTime();
    Catalog catalog = Catalog.start(vertx, member.hazelcast(), CatalogSettings.DEFAULTS, "joiner",
        new SimpleMeterRegistry()).toCompletionStage().toCompletableFuture().get(300, TimeUnit.SECONDS);
    long synced = System.nanoTime();
    int entries = awaitEntries(vertx, catalog, 3 * SERVICES);
    System.out.printf("joining member: Hazelcast join %d ms, catalog initial sync %d ms (%d entries, %d endpoints;"
            + " target <= 5000 ms); heap after GC %s (target <= 512 MB)%n", (joined - start) / 1_000_000,
        (synced - joined) / 1_000_000, entries, entries * ENDPOINTS, BenchData.mib(BenchData.usedHeapAfterGc()));
    catalog.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    member.hazelcast().getLifecycleService().terminate();
    vertx.close();
    System.exit(0);
  }

  /** Waits until this member's view holds {@code expected} (cluster, service) entries; returns the count. */
  private static int awaitEntries(Vertx vertx, Catalog catalog, int expected) throws InterruptedException {
    Map<ServiceKey, Integer> contributions = new HashMap<>();
    AtomicInteger total = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(1);
    catalog.view().subscribe(vertx.getOrCreateContext(), event -> {
      if (event instanceof CatalogEvent.Snapshot snapshot) {
        for (FederatedService service : snapshot.services().values()) {
          contributions.put(service.key(), service.clusters().size());
          total.addAndGet(service.clusters().size());
        }
      } else if (event instanceof CatalogEvent.ServiceChanged changed) {
        Integer before = contributions.put(changed.key(), changed.service().clusters().size());
        total.addAndGet(changed.service().clusters().size() - (before == null ? 0 : before));
      }
      if (total.get() >= expected) {
        done.countDown();
      }
    });
    if (!done.await(600, TimeUnit.SECONDS)) {
      throw new IllegalStateException("view holds " + total.get() + " of " + expected + " entries after 600 s");
    }
    return total.get();
  }
}
