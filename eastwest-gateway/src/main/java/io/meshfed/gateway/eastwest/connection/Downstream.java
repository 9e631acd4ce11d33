package io.meshfed.gateway.eastwest.connection;

import io.meshfed.gateway.eastwest.ConnectionObserver;
import io.meshfed.gateway.eastwest.ConnectionRecord;
import io.meshfed.gateway.eastwest.Mode;
import io.meshfed.gateway.eastwest.RejectReason;
import io.meshfed.gateway.eastwest.ResponseFlag;
import io.meshfed.gateway.eastwest.stats.Counters;
import io.meshfed.gateway.eastwest.upstream.Host;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * One downstream connection's record in the making: what the handlers learn as it goes (SNI, chain, peer, cluster,
 * host, bytes, flags) and how it ends (a rejection reason or a close). Owned by the connection's event loop; every
 * method must be called there. Emits exactly one {@link ConnectionRecord} when the channel closes.
 */
public final class Downstream {

  public static final AttributeKey<Downstream> KEY = AttributeKey.valueOf("meshfed.eastwest.downstream");

  private final Channel channel;
  private final String listener;
  private final Counters counters;
  private final ConnectionObserver observer;
  private final Instant start = Instant.now();
  private final long startNanos = System.nanoTime();

  private String serverName = "";
  private String protocol = "";
  private String chain = "";
  private Mode mode = Mode.PASSTHROUGH;
  private String principal = "";
  private String cluster = "";
  private Host host;
  private final Set<ResponseFlag> flags = EnumSet.noneOf(ResponseFlag.class);
  private long received;
  private long sent;
  private RejectReason rejectReason;
  private String details = "";
  private boolean recorded;

  public Downstream(Channel channel, String listener, Counters counters, ConnectionObserver observer) {
    this.channel = channel;
    this.listener = listener;
    this.counters = counters;
    this.observer = observer;
    counters.opened();
    observer.opened(listener, (InetSocketAddress) channel.remoteAddress());
    channel.closeFuture().addListener(closed -> record());
  }

  public static Downstream of(Channel channel) {
    return channel.attr(KEY).get();
  }

  public Channel channel() {
    return channel;
  }

  public String listener() {
    return listener;
  }

  public Counters counters() {
    return counters;
  }

  public ConnectionObserver observer() {
    return observer;
  }

  public void serverName(String value) {
    serverName = value;
  }

  public String serverName() {
    return serverName;
  }

  public void protocol(String value) {
    protocol = value == null ? "" : value;
  }

  public void chain(String name, Mode chainMode) {
    chain = name;
    mode = chainMode;
  }

  public Mode mode() {
    return mode;
  }

  public void principal(String value) {
    principal = value;
  }

  public String principal() {
    return principal;
  }

  public void cluster(String value) {
    cluster = value;
  }

  public void host(Host value) {
    host = value;
  }

  public void flag(ResponseFlag flag) {
    if (flags.add(flag)) {
      counters.flag(flag);
    }
  }

  public void flags(Set<ResponseFlag> values) {
    for (ResponseFlag flag : values) {
      flag(flag);
    }
  }

  public void details(String value) {
    details = value;
  }

  public void received(long bytes) {
    received += bytes;
  }

  public void sent(long bytes) {
    sent += bytes;
  }

  /** Refuses the connection: counts the reason, remembers why, closes. */
  public void reject(RejectReason reason, String detail) {
    if (rejectReason == null) {
      rejectReason = reason;
      details = detail;
      counters.reject(reason);
    }
    channel.close();
  }

  public boolean rejected() {
    return rejectReason != null;
  }

  private void record() {
    if (recorded) {
      return;
    }
    recorded = true;
    counters.closed(received, sent);
    observer.closed(new ConnectionRecord(listener, chain, mode, (InetSocketAddress) channel.remoteAddress(),
        (InetSocketAddress) channel.localAddress(), serverName, protocol, principal, cluster,
        host == null ? null : host.address(),
        host == null ? ConnectionRecord.Upstream.UNKNOWN : host.destination(), start,
        Duration.ofNanos(System.nanoTime() - startNanos), received, sent, flags, rejectReason, details));
  }
}
