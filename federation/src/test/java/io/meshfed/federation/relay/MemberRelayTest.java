package io.meshfed.federation.relay;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.meshfed.federation.testing.Await;
import io.meshfed.federation.testing.CapturedLogs;
import io.meshfed.federation.testing.FreePorts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The mTLS relay with SVIDs from a test CA: tunnels, refusals, and Hazelcast forming a cluster through it. */
class MemberRelayTest {

  private static final String TD = "test.local";

  private final Vertx vertx = Vertx.vertx();
  private final TestPki pki = new TestPki("mesh root");
  private final List<MemberRelay> relays = new ArrayList<>();
  private final List<HazelcastInstance> members = new ArrayList<>();
  private final String suffix = UUID.randomUUID().toString().substring(0, 8);
  private final AtomicInteger memberConnections = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    members.forEach(m -> m.getLifecycleService().terminate());
    for (MemberRelay relay : relays) {
      await(relay.close());
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return Await.result(future, Duration.ofSeconds(20));
  }

  private FederationTls svid(String member) {
    return pki.svid("spiffe://" + TD + "/ns/istio-system/sa/meshfed-" + member, TD);
  }

  private MemberRelay relay(String mesh, String member, String host, InetSocketAddress localMember,
      FederationTls tls) throws Exception {
    MemberRelay relay = await(MemberRelay.start(vertx,
        new RelaySettings(mesh, member + "-" + suffix, host, 0, localMember, 5701, tls)));
    relays.add(relay);
    return relay;
  }

  /** A stand-in for the local Hazelcast member: echoes what it receives. */
  private InetSocketAddress echoMember() throws Exception {
    NetServer echo = vertx.createNetServer().connectHandler(socket -> {
      memberConnections.incrementAndGet();
      socket.handler(socket::write);
    });
    int port = await(echo.listen(0, "127.0.0.1")).actualPort();
    return new InetSocketAddress("127.0.0.1", port);
  }

  private RelayPeer peer(MemberRelay relay, String member, String host) {
    return new RelayPeer(member + "-" + suffix, host, relay.port());
  }

  private String roundTrip(InetSocketAddress via, String text) throws Exception {
    NetSocket socket = await(vertx.createNetClient().connect(SocketAddress.inetSocketAddress(via)));
    CompletableFuture<String> echoed = new CompletableFuture<>();
    Buffer received = Buffer.buffer();
    socket.handler(chunk -> {
      received.appendBuffer(chunk);
      if (received.length() >= text.length()) {
        echoed.complete(received.toString());
      }
    });
    socket.closeHandler(v -> echoed.complete(received.toString()));
    socket.write(text);
    try {
      return echoed.get(10, TimeUnit.SECONDS);
    } finally {
      socket.close();
    }
  }

  @Test
  void tunnelsMemberBytesOverMutualTlsBetweenRelays() throws Exception {
    MemberRelay west = relay("mesh1", "west", "127.0.2.1", echoMember(), svid("west"));
    MemberRelay east = relay("mesh1", "east", "127.0.1.1", new InetSocketAddress("127.0.0.1", 1), svid("east"));
    await(east.setPeers(List.of(peer(west, "west", "127.0.2.1"))));

    String payload = "hazelcast bytes \u0000\u0001 over the tunnel";
    assertThat(roundTrip(west.virtualAddress(), payload)).isEqualTo(payload);
    assertThat(memberConnections).hasValue(1);
  }

  @Test
  void plaintextToTheRelayNeverReachesTheMember() throws Exception {
    MemberRelay west = relay("mesh1", "west", "127.0.2.1", echoMember(), svid("west"));

    try (Socket raw = new Socket("127.0.2.1", west.port())) {
      raw.setSoTimeout(5000);
      OutputStream out = raw.getOutputStream();
      out.write(Hello.request("mesh1", "intruder", "west-" + suffix).getBytes(StandardCharsets.US_ASCII));
      out.write("plaintext member protocol".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = raw.getInputStream();
      byte[] answer = in.readNBytes(64);
      // Whatever comes back is a TLS alert, never the member's echo.
      assertThat(new String(answer, StandardCharsets.ISO_8859_1)).doesNotContain("plaintext", "OK");
    } catch (IOException expected) {
      // reset by the TLS listener
    }
    assertThat(memberConnections).hasValue(0);
  }

  @Test
  void aMemberOfAnotherMeshIsRefusedWithAClearErrorOnBothSides() throws Exception {
    MemberRelay west = relay("mesh1", "west", "127.0.2.1", echoMember(), svid("west"));
    MemberRelay stranger = relay("mesh2", "east", "127.0.1.1", new InetSocketAddress("127.0.0.1", 1),
        svid("east"));
    List<RelayRefusal> atWest = new CopyOnWriteArrayList<>();
    List<RelayRefusal> atStranger = new CopyOnWriteArrayList<>();
    west.onRefusal(atWest::add);
    stranger.onRefusal(atStranger::add);
    RelayPeer westAsTheStrangerKnowsIt = peer(west, "west", "127.0.2.1");
    await(stranger.setPeers(List.of(westAsTheStrangerKnowsIt)));

    // The stranger listens for west on the address its own mesh derives for west.
    assertThat(roundTrip(westAsTheStrangerKnowsIt.virtualAddress("mesh2", 5701), "join?")).isEmpty();

    awaitNonEmpty(atWest);
    awaitNonEmpty(atStranger);
    assertThat(atWest.get(0).kind()).isEqualTo("mesh");
    assertThat(atWest.get(0).reason()).contains("belongs to mesh mesh2", "expected: mesh1");
    assertThat(atStranger.get(0).reason()).contains("refused this member", "mesh mesh2", "mesh1");
    assertThat(memberConnections).hasValue(0);
  }

  @Test
  void aPeerWhoseMemberIsNotRunningIsUnavailableNotARefusal() throws Exception {
    // West's own member is not listening (it is starting, or stopping first at a shutdown).
    MemberRelay west = relay("mesh1", "west", "127.0.2.1", new InetSocketAddress("127.0.0.1", 1), svid("west"));
    MemberRelay east = relay("mesh1", "east", "127.0.1.1", new InetSocketAddress("127.0.0.1", 1), svid("east"));
    List<RelayRefusal> atEast = new CopyOnWriteArrayList<>();
    east.onRefusal(atEast::add);
    RelayPeer westPeer = peer(west, "west", "127.0.2.1");
    await(east.setPeers(List.of(westPeer)));

    try (CapturedLogs logged = CapturedLogs.of(MemberRelay.class.getName())) {
      assertThat(roundTrip(westPeer.virtualAddress("mesh1", 5701), "join?")).isEmpty();

      ILoggingEvent unavailable = logged.await(event -> event.getFormattedMessage().contains("is not serving"),
          Duration.ofSeconds(10));
      assertThat(unavailable.getLevel()).isEqualTo(Level.WARN);
      assertThat(unavailable.getFormattedMessage()).contains("west-" + suffix, "is not running");
      assertThat(logged.events()).noneMatch(event -> event.getLevel() == Level.ERROR);
      assertThat(atEast).as("a peer restarting is no refusal of this member").isEmpty();
    }
  }

  @Test
  void aPeerOutsideTheTrustDomainCannotJoin() throws Exception {
    MemberRelay west = relay("mesh1", "west", "127.0.2.1", echoMember(), svid("west"));
    List<RelayRefusal> atWest = new CopyOnWriteArrayList<>();
    west.onRefusal(atWest::add);
    // Same CA (a misconfigured or compromised issuer), foreign trust domain: the identity check refuses it.
    FederationTls foreign = pki.svid("spiffe://evil.example/ns/x/sa/y", "evil.example");
    FederationTls acceptsAnything = new FederationTls() {
      @Override
      public io.vertx.core.net.ServerSSLOptions serverOptions() {
        return foreign.serverOptions();
      }

      @Override
      public io.vertx.core.net.ClientSSLOptions clientOptions() {
        return foreign.clientOptions();
      }

      @Override
      public PeerVerdict verifyPeer(List<java.security.cert.Certificate> chain) {
        return PeerVerdict.allow("anything");
      }
    };
    MemberRelay intruder = relay("mesh1", "intruder", "127.0.1.1", new InetSocketAddress("127.0.0.1", 1),
        acceptsAnything);
    await(intruder.setPeers(List.of(peer(west, "west", "127.0.2.1"))));

    assertThat(roundTrip(west.virtualAddress(), "join?")).isEmpty();
    awaitNonEmpty(atWest);
    assertThat(atWest.get(0).kind()).isEqualTo("identity");
    assertThat(atWest.get(0).reason()).contains("spiffe://evil.example/ns/x/sa/y", "expected: test.local");

    // A certificate from another CA does not even complete the handshake.
    await(intruder.close());
    relays.remove(intruder);
    MemberRelay otherCa = relay("mesh1", "other", "127.0.3.1", new InetSocketAddress("127.0.0.1", 1),
        new TestPki("other root").svid("spiffe://" + TD + "/ns/istio-system/sa/meshfed-other", TD));
    await(otherCa.setPeers(List.of(peer(west, "west", "127.0.2.1"))));
    assertThat(roundTrip(west.virtualAddress(), "join?")).isEmpty();
    assertThat(memberConnections).hasValue(0);
  }

  @Test
  void twoRelaysOfOneProcessCannotServeTheSamePeer() throws Exception {
    MemberRelay west = relay("mesh1", "west", "127.0.2.1", echoMember(), svid("west"));
    MemberRelay east = relay("mesh1", "east", "127.0.1.1", new InetSocketAddress("127.0.0.1", 1), svid("east"));
    MemberRelay third = relay("mesh1", "third", "127.0.3.1", new InetSocketAddress("127.0.0.1", 1), svid("third"));
    await(east.setPeers(List.of(peer(west, "west", "127.0.2.1"))));

    assertThat(third.setPeers(List.of(peer(west, "west", "127.0.2.1"))).toCompletionStage().toCompletableFuture())
        .failsWithin(Duration.ofSeconds(5)).withThrowableThat()
        .withMessageContaining("already served by the relay of member east-" + suffix);
  }

  @Test
  void twoHazelcastMembersFormAClusterOnlyThroughTheirRelays() throws Exception {
    String mesh = "test-" + UUID.randomUUID();
    int eastPort = FreePorts.onLoopback();
    int westPort = FreePorts.onLoopback();
    MemberRelay east = relay(mesh, "east", "127.0.1.1", new InetSocketAddress("127.0.0.1", eastPort),
        svid("east"));
    MemberRelay west = relay(mesh, "west", "127.0.2.1", new InetSocketAddress("127.0.0.1", westPort),
        svid("west"));
    await(east.setPeers(List.of(peer(west, "west", "127.0.2.1"))));
    await(west.setPeers(List.of(peer(east, "east", "127.0.1.1"))));

    members.add(Hazelcast.newHazelcastInstance(relayedMember(mesh, eastPort, east, west)));
    members.add(Hazelcast.newHazelcastInstance(relayedMember(mesh, westPort, west, east)));

    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (members.get(0).getCluster().getMembers().size() < 2) {
      assertThat(System.nanoTime()).as("members never met through the relays").isLessThan(deadline);
      Thread.sleep(100);
    }
    members.get(0).getMap("catalog").put("east", "alive");
    assertThat(members.get(1).getMap("catalog").get("east")).isEqualTo("alive");
    assertThat(members.get(1).getCluster().getMembers()).extracting(m -> m.getAddress().getInetAddress())
        .containsExactlyInAnyOrder(east.virtualAddress().getAddress(), west.virtualAddress().getAddress());
  }

  private static Config relayedMember(String mesh, int bindPort, MemberRelay self, MemberRelay peer) {
    Config config = new Config().setClusterName(mesh);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.getNetworkConfig().setPort(bindPort).setPortAutoIncrement(false)
        .setPublicAddress(self.virtualAddress().getAddress().getHostAddress() + ":" + self.virtualAddress().getPort());
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).addMember(peer.virtualAddress().getAddress().getHostAddress() + ":"
        + peer.virtualAddress().getPort());
    return config;
  }

  private static void awaitNonEmpty(List<?> list) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (list.isEmpty()) {
      assertThat(System.nanoTime()).as("nothing refused").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
