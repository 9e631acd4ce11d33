package io.meshfed.gateway.eastwest.stats;

import io.meshfed.gateway.eastwest.GatewayStats;
import io.meshfed.gateway.eastwest.RejectReason;
import io.meshfed.gateway.eastwest.ResponseFlag;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's counters: striped adders, so event loops count without contending on one cache line.
 */
public final class Counters implements GatewayStats {

  private final LongAdder[] rejected = adders(RejectReason.values().length);
  private final LongAdder[] flagged = adders(ResponseFlag.values().length);
  private final LongAdder accepted = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder sent = new LongAdder();
  private final LongAdder requests = new LongAdder();
  private final AtomicInteger active = new AtomicInteger();

  private static LongAdder[] adders(int count) {
    LongAdder[] adders = new LongAdder[count];
    for (int i = 0; i < count; i++) {
      adders[i] = new LongAdder();
    }
    return adders;
  }

  public void reject(RejectReason reason) {
    rejected[reason.ordinal()].increment();
  }

  public void flag(ResponseFlag flag) {
    flagged[flag.ordinal()].increment();
  }

  public void opened() {
    accepted.increment();
    active.incrementAndGet();
  }

  public void closed(long receivedBytes, long sentBytes) {
    active.decrementAndGet();
    received.add(receivedBytes);
    sent.add(sentBytes);
  }

  public void request() {
    requests.increment();
  }

  @Override
  public long rejected(RejectReason reason) {
    return rejected[reason.ordinal()].sum();
  }

  @Override
  public long flagged(ResponseFlag flag) {
    return flagged[flag.ordinal()].sum();
  }

  @Override
  public long acceptedConnections() {
    return accepted.sum();
  }

  @Override
  public int activeConnections() {
    return active.get();
  }

  @Override
  public long receivedBytes() {
    return received.sum();
  }

  @Override
  public long sentBytes() {
    return sent.sum();
  }

  @Override
  public long requests() {
    return requests.sum();
  }
}
