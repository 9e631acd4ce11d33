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

  /** The last request outcome, waiting briefly for it (outcomes are reported after the response is written). */
  public RequestOutcome last() throws InterruptedException {
    Await.until("a request outcome", java.time.Duration.ofSeconds(5), () -> !requests.isEmpty());
    return requests.get(requests.size() - 1);
  }
}
