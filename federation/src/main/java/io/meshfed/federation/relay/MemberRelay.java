package io.meshfed.federation.relay;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.SocketAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The federation's mTLS relay: OSS Hazelcast has no TLS, so a member's Hazelcast binds loopback only and every
 * member connection leaves the host through this relay.
 *
 * <ul>
 *   <li>Outbound: for each peer, a loopback listener on the peer's {@link VirtualAddresses virtual address}.
 *       Hazelcast dials that address; the relay opens mutual TLS to the peer's relay, checks the peer's SPIFFE
 *       identity, says hello (mesh id, member names) and splices bytes.</li>
 *   <li>Inbound: a TLS listener that requires a client certificate, checks the identity and the hello, and splices
 *       to the local Hazelcast member.</li>
 * </ul>
 *
 * <p>Plaintext between hosts is impossible by construction: the only non-loopback socket is the TLS listener
 * ({@code ssl=true}, client auth REQUIRED) and the only outbound connections are made with {@code ssl=true}.
 *
 * <p>Owned by one event-loop context; nothing here blocks.
 */
public final class MemberRelay {

  private static final Logger LOG = LoggerFactory.getLogger(MemberRelay.class);
  /** The hello answer's kind when the relay's own member is not running: a peer retries, it is not refused. */
  private static final String UNAVAILABLE = "unavailable";

  private final Vertx vertx;
  private final Context context;
  private final RelaySettings settings;
  private final NetClient plainClient;
  private final NetClient tlsClient;
  private final Map<String, Outbound> peers = new HashMap<>();
  private final List<Handler<RelayRefusal>> refusalHandlers = new CopyOnWriteArrayList<>();
  private NetServer server;

  private record Outbound(RelayPeer peer, NetServer listener) {
  }

  private MemberRelay(Vertx vertx, Context context, RelaySettings settings) {
    this.vertx = vertx;
    this.context = context;
    this.settings = settings;
    this.plainClient = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
    this.tlsClient = vertx.createNetClient(new NetClientOptions().setTcpNoDelay(true));
  }

  /** Starts the mTLS listener; peers are added with {@link #setPeers}. */
  public static Future<MemberRelay> start(Vertx vertx, RelaySettings settings) {
    Context context = vertx.getOrCreateContext();
    MemberRelay relay = new MemberRelay(vertx, context, settings);
    Promise<MemberRelay> started = Promise.promise();
    context.runOnContext(ignored -> {
      relay.server = vertx.createNetServer(serverOptions(settings.tls().serverOptions()))
          .connectHandler(relay::inbound);
      relay.server.listen(settings.listenPort(), settings.listenHost()).onComplete(listening -> {
        if (listening.failed()) {
          started.fail(listening.cause());
        } else {
          LOG.info("federation relay of {} (mesh {}) listening on {}:{} (mTLS), member {} known as {}",
              settings.memberName(), settings.meshId(), settings.listenHost(), listening.result().actualPort(),
              settings.localMember(), settings.virtualAddress());
          started.complete(relay);
        }
      });
    });
    return started.future();
  }

  /** The relay's actual port. */
  public int port() {
    return server.actualPort();
  }

  public InetSocketAddress virtualAddress() {
    return settings.virtualAddress();
  }

  /** Called for every refused connection, in either direction. */
  public void onRefusal(Handler<RelayRefusal> handler) {
    refusalHandlers.add(handler);
  }

  /** Makes {@code next} the peer set: listeners open for new peers and close for removed ones. */
  public Future<Void> setPeers(Collection<RelayPeer> next) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(ignored -> {
      Map<String, RelayPeer> wanted = new HashMap<>();
      for (RelayPeer peer : next) {
        if (!peer.memberName().equals(settings.memberName())) {
          wanted.put(peer.memberName(), peer);
        }
      }
      List<Future<?>> changes = new ArrayList<>();
      for (String name : new ArrayList<>(peers.keySet())) {
        Outbound current = peers.get(name);
        if (!current.peer().equals(wanted.get(name))) {
          peers.remove(name);
          claims().remove(current.peer().virtualAddress(settings.meshId(), settings.virtualPort()).toString(), settings.memberName());
          changes.add(current.listener().close());
        }
      }
      for (RelayPeer peer : wanted.values()) {
        if (!peers.containsKey(peer.memberName())) {
          changes.add(listenFor(peer));
        }
      }
      Future.join(changes).onComplete(result -> done.handle(result.mapEmpty()));
    });
    return done.future();
  }

  /** Re-reads the TLS options (a rotated SVID or bundle) for new connections; open tunnels keep their session. */
  public Future<Void> reloadTls() {
    return server.updateSSLOptions(serverSslOptions(settings.tls().serverOptions())).mapEmpty();
  }

  public Future<Void> close() {
    List<Future<?>> closing = new ArrayList<>();
    peers.values().forEach(outbound -> {
      claims().remove(outbound.peer().virtualAddress(settings.meshId(), settings.virtualPort()).toString(), settings.memberName());
      closing.add(outbound.listener().close());
    });
    if (server != null) {
      closing.add(server.close());
    }
    closing.add(plainClient.close());
    closing.add(tlsClient.close());
    return Future.join(closing).mapEmpty();
  }

  private io.vertx.core.shareddata.LocalMap<String, String> claims() {
    return vertx.sharedData().getLocalMap("meshfed.federation.relay.virtual-addresses");
  }

  private Future<NetServer> listenFor(RelayPeer peer) {
    InetSocketAddress virtual = peer.virtualAddress(settings.meshId(), settings.virtualPort());
    // Vert.x shares one listening socket among servers of one Vert.x instance bound to the same address and
    // round-robins connections between them: two relays of one process serving the same peer would mix their
    // identities. Refuse the second one instead.
    String owner = claims().putIfAbsent(virtual.toString(), settings.memberName());
    if (owner != null && !owner.equals(settings.memberName())) {
      return Future.failedFuture(new IllegalStateException("peer " + peer.memberName() + ": virtual address "
          + virtual + " is already served by the relay of member " + owner + " in this process (expected: one"
          + " relay per peer per host; run such members on separate hosts)"));
    }
    NetServer listener = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true))
        .connectHandler(local -> outbound(peer, local));
    return listener.listen(SocketAddress.inetSocketAddress(virtual)).onFailure(e ->
        claims().remove(virtual.toString(), settings.memberName())).onSuccess(bound -> {
      peers.put(peer.memberName(), new Outbound(peer, bound));
      LOG.info("federation relay: peer {} at {}:{} reachable as {}", peer.memberName(), peer.host(), peer.port(),
          virtual);
    }).onFailure(e -> LOG.error("federation relay: cannot listen on {} for peer {}: {}", virtual,
        peer.memberName(), e.toString()));
  }

  /** Hazelcast dialled a peer's virtual address: tunnel it over mTLS. */
  private void outbound(RelayPeer peer, NetSocket local) {
    local.pause();
    ClientSSLOptions ssl = new ClientSSLOptions(settings.tls().clientOptions()).setHostnameVerificationAlgorithm("");
    // ssl=true always: Vert.x would otherwise connect in plaintext even with SSL options present.
    tlsClient.connect(new ConnectOptions().setHost(peer.host()).setPort(peer.port()).setSsl(true).setSslOptions(ssl))
        .onFailure(e -> {
          LOG.warn("federation relay: cannot reach peer {} at {}:{}: {}", peer.memberName(), peer.host(),
              peer.port(), e.toString());
          local.close();
        })
        .onSuccess(remote -> {
          PeerVerdict verdict = verify(remote);
          if (!verdict.allowed()) {
            refuse(new RelayRefusal(peer.memberName(), false, "identity", "peer " + peer.memberName() + " at "
                + peer.host() + ":" + peer.port() + " presented " + verdict.identity() + ": " + verdict.reason()));
            remote.close();
            local.close();
            return;
          }
          remote.write(Hello.request(settings.meshId(), settings.memberName(), peer.memberName()));
          Hello.readLine(remote).onFailure(e -> {
            local.close();
            remote.close();
          }).onSuccess(answer -> {
            if (!answer.text().equals("OK")) {
              String reason = answer.text().startsWith("REFUSED ") ? answer.text().substring(8) : answer.text();
              if (kindOf(reason).equals(UNAVAILABLE)) {
                // Not a refusal of this member: the peer's own member is starting or stopping, as when it cannot be
                // reached at all; Hazelcast dials again.
                LOG.warn("federation relay: peer {} at {}:{} is not serving: {}", peer.memberName(), peer.host(),
                    peer.port(), Hello.abbreviate(reason));
                local.close();
                remote.close();
                return;
              }
              refuse(new RelayRefusal(peer.memberName(), false, kindOf(reason), "peer " + peer.memberName()
                  + " refused this member: " + Hello.abbreviate(reason)));
              local.close();
              remote.close();
              return;
            }
            splice(local, remote, answer.rest());
          });
        });
  }

  /** A peer dialled us: check identity and hello, then tunnel to the local Hazelcast member. */
  private void inbound(NetSocket remote) {
    String from = String.valueOf(remote.remoteAddress());
    PeerVerdict verdict = verify(remote);
    if (!verdict.allowed()) {
      refuse(new RelayRefusal(from, true, "identity", "connection from " + from + " presenting "
          + verdict.identity() + " refused: " + verdict.reason()));
      remote.end(Buffer.buffer("REFUSED identity: " + verdict.reason() + "\n")).onComplete(v -> remote.close());
      return;
    }
    Hello.readLine(remote).onFailure(e -> remote.close()).onSuccess(line -> {
      String refusal = checkHello(line.text());
      if (refusal != null) {
        refuse(new RelayRefusal(from + " (" + verdict.identity() + ")", true, kindOf(refusal),
            "member " + verdict.identity() + " at " + from + " refused: " + refusal));
        remote.end(Buffer.buffer("REFUSED " + refusal + "\n")).onComplete(v -> remote.close());
        return;
      }
      plainClient.connect(SocketAddress.inetSocketAddress(settings.localMember())).onFailure(e -> {
        remote.end(Buffer.buffer("REFUSED " + UNAVAILABLE + ": member " + settings.memberName() + " is not running\n"))
            .onComplete(v -> remote.close());
      }).onSuccess(local -> {
        remote.write("OK\n");
        splice(local, remote, line.rest());
      });
    });
  }

  private String checkHello(String line) {
    Map<String, String> hello;
    try {
      hello = Hello.parseRequest(line);
    } catch (IllegalArgumentException e) {
      return "protocol: " + e.getMessage();
    }
    if (!hello.get("mesh").equals(settings.meshId())) {
      return "mesh: " + hello.get("from") + " belongs to mesh " + hello.get("mesh") + " (expected: "
          + settings.meshId() + "; a member joins only the mesh whose id it is configured with)";
    }
    if (!hello.get("to").equals(settings.memberName())) {
      return "member: this relay serves member " + settings.memberName() + ", not " + hello.get("to");
    }
    return null;
  }

  private static String kindOf(String reason) {
    int colon = reason.indexOf(':');
    return colon > 0 ? reason.substring(0, colon) : "protocol";
  }

  private PeerVerdict verify(NetSocket socket) {
    try {
      return settings.tls().verifyPeer(socket.peerCertificates());
    } catch (SSLPeerUnverifiedException e) {
      return PeerVerdict.deny("", "no verified certificate (expected: mutual TLS with an X.509-SVID)");
    }
  }

  private void refuse(RelayRefusal refusal) {
    LOG.error("federation relay: {}", refusal.reason());
    refusalHandlers.forEach(handler -> handler.handle(refusal));
  }

  private static void splice(NetSocket local, NetSocket remote, Buffer remoteAlreadyRead) {
    if (remoteAlreadyRead.length() > 0) {
      local.write(remoteAlreadyRead);
    }
    local.pipeTo(remote);
    remote.pipeTo(local);
  }

  private static NetServerOptions serverOptions(ServerSSLOptions ssl) {
    ServerSSLOptions forced = serverSslOptions(ssl);
    NetServerOptions options = new NetServerOptions().setTcpNoDelay(true).setSsl(true)
        .setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(forced.getKeyCertOptions())
        .setTrustOptions(forced.getTrustOptions())
        .setEnabledSecureTransportProtocols(forced.getEnabledSecureTransportProtocols())
        .setSslHandshakeTimeout(forced.getSslHandshakeTimeout())
        .setSslHandshakeTimeoutUnit(forced.getSslHandshakeTimeoutUnit());
    forced.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
    return (NetServerOptions) options;
  }

  private static ServerSSLOptions serverSslOptions(ServerSSLOptions ssl) {
    // Whatever the caller's options say, a peer without a certificate is never accepted.
    return new ServerSSLOptions(ssl).setClientAuth(ClientAuth.REQUIRED);
  }
}
