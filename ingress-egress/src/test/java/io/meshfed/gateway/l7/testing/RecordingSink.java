package io.meshfed.gateway.l7.testing;

import io.meshfed.gateway.l7.outcome.OutcomeSink;
import io.meshfed.gateway.l7.outcome.RequestOutcome;
import io.meshfed.gateway.l7.outcome.TcpOutcome;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records outcomes for assertions. */
public final class RecordingSink implements OutcomeSink {

  public final List<RequestOutcome> requests = new CopyOnWriteArrayList<>();
  public final List<TcpOutcome> connections = new CopyOnWriteArrayList<>();

  @Override
  public void request(RequestOutcome outcome) {
    requests.add(outcome);
  }

  @Override
  public void connection(TcpOutcome outcome) {
    connections.add(outcome);
  }

  /**
   * The outcome of the {@code count}-th request, waiting for it: outcomes are reported once the response is written,
   * so a client can see its response before the outcome exists.
   */
  public RequestOutcome nth(int count) throws InterruptedException {
    Await.until(count + " request outcomes", java.time.Duration.ofSeconds(5), () -> requests.size() >= count);
    return requests.get(count - 1);
  }
}
