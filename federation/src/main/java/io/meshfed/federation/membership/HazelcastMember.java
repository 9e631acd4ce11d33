package io.meshfed.federation.membership;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.meshfed.federation.relay.MemberRelay;
import io.meshfed.federation.relay.RelayPeer;
import io.meshfed.federation.relay.RelaySettings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A control plane's embedded Hazelcast member, started in one of the {@link Membership} forms, with mesh-id
 * mismatches detected and reported (relay hello, Hazelcast's own join warnings) and counted in
 * {@code meshfed_federation_mesh_mismatch_total}.
 */
public final class HazelcastMember {

  private static final Logger LOG = LoggerFactory.getLogger(HazelcastMember.class);
  private static final int VIRTUAL_PORT = 5701;

  private final MemberSettings settings;
  private final HazelcastInstance hazelcast;
  private final MemberRelay relay;
  private final PeerDiscovery discovery;
  private final List<MeshMismatch> mismatches = new CopyOnWriteArrayList<>();
  private final List<Handler<MeshMismatch>> handlers = new CopyOnWriteArrayList<>();
  private final Counter mismatchCounter;

  private HazelcastMember(MemberSettings settings, HazelcastInstance hazelcast, MemberRelay relay,
      PeerDiscovery discovery, MeterRegistry meters) {
    this.settings = settings;
    this.hazelcast = hazelcast;
    this.relay = relay;
    this.discovery = discovery;
    this.mismatchCounter = Counter.builder("meshfed_federation_mesh_mismatch_total")
        .description("Join attempts refused because the other member runs another mesh id").register(meters);
  }

  /** Starts the relay (relayed form) and then the Hazelcast member, on worker threads: joining blocks. */
  public static Future<HazelcastMember> start(Vertx vertx, MemberSettings settings, MeterRegistry meters) {
    if (settings.membership() instanceof Membership.Relayed relayed) {
      InetSocketAddress bind = new InetSocketAddress("127.0.0.1", relayed.bindPort());
      RelaySettings relaySettings = new RelaySettings(settings.meshId(), settings.memberName(), relayed.relayHost(),
          relayed.relayPort(), bind, VIRTUAL_PORT, relayed.tls());
      PeerDiscovery discovery = new PeerDiscovery();
      return MemberRelay.start(vertx, relaySettings).compose(relay -> {
        List<HazelcastMember> holder = new CopyOnWriteArrayList<>();
        // Refusals can arrive before the member exists: buffer them through the holder.
        relay.onRefusal(refusal -> {
          if (refusal.kind().equals("mesh") && !holder.isEmpty()) {
            holder.get(0).report(new MeshMismatch(refusal.peer(), refusal.reason()));
          }
        });
        discovery.peers(virtualAddresses(settings.meshId(), relayed.peers()));
        return relay.setPeers(relayed.peers())
            .compose(v -> vertx.executeBlocking(() -> Hazelcast.newHazelcastInstance(
                HazelcastConfigs.build(settings, relaySettings.virtualAddress(), discovery)), false))
            .map(instance -> {
              HazelcastMember member = new HazelcastMember(settings, instance, relay, discovery, meters);
              holder.add(member);
              member.listen();
              return member;
            })
            .onFailure(e -> relay.close());
      });
    }
    return vertx.executeBlocking(() -> Hazelcast.newHazelcastInstance(HazelcastConfigs.build(settings, null, null)),
        false).map(instance -> {
          HazelcastMember member = new HazelcastMember(settings, instance, null, null, meters);
          member.listen();
          return member;
        });
  }

  private void listen() {
    hazelcast.getLoggingService().addLogListener(MeshMismatchDetector.level(),
        new MeshMismatchDetector(settings.meshId(), this::report));
    LOG.info("federation member {} of mesh {} started: {} member(s)", settings.memberName(), settings.meshId(),
        hazelcast.getCluster().getMembers().size());
  }

  private void report(MeshMismatch mismatch) {
    mismatches.add(mismatch);
    mismatchCounter.increment();
    LOG.error("federation: {}", mismatch.detail());
    handlers.forEach(handler -> handler.handle(mismatch));
  }

  public HazelcastInstance hazelcast() {
    return hazelcast;
  }

  public MemberSettings settings() {
    return settings;
  }

  public Optional<MemberRelay> relay() {
    return Optional.ofNullable(relay);
  }

  /** Mesh-id mismatches seen so far. */
  public List<MeshMismatch> meshMismatches() {
    return List.copyOf(mismatches);
  }

  public void onMeshMismatch(Handler<MeshMismatch> handler) {
    handlers.add(handler);
  }

  /**
   * Relayed form only: makes {@code peers} (configuration plus remote-cluster Secrets) the member set to reach;
   * Hazelcast finds new ones on its next join or merge search.
   */
  public Future<Void> setPeers(Collection<RelayPeer> peers) {
    if (relay == null) {
      return Future.failedFuture(new IllegalStateException("peers: only a Membership.Relayed member has relay peers"
          + " (this one is " + settings.membership().getClass().getSimpleName() + ")"));
    }
    return relay.setPeers(peers).onSuccess(v -> discovery.peers(virtualAddresses(settings.meshId(), peers)));
  }

  private static Set<InetSocketAddress> virtualAddresses(String meshId, Collection<RelayPeer> peers) {
    Set<InetSocketAddress> addresses = new HashSet<>();
    peers.forEach(peer -> addresses.add(peer.virtualAddress(meshId, VIRTUAL_PORT)));
    return addresses;
  }

  /** Leaves the cluster gracefully (partitions migrate first), then closes the relay. */
  public Future<Void> close(Vertx vertx) {
    return vertx.executeBlocking(() -> {
      hazelcast.shutdown();
      return null;
    }, false).compose(v -> relay == null ? Future.succeededFuture() : relay.close()).mapEmpty();
  }
}
