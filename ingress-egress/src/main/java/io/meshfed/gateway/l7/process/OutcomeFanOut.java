package io.meshfed.gateway.l7.process;

import io.meshfed.gateway.l7.outcome.OutcomeSink;
import io.meshfed.gateway.l7.outcome.RequestOutcome;
import io.meshfed.gateway.l7.outcome.TcpOutcome;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each outcome to several sinks (the access log and the metrics), in order; one sink failing does not keep the
 * outcome from the others.
 */
final class OutcomeFanOut implements OutcomeSink {

  private static final Logger LOG = LoggerFactory.getLogger(OutcomeFanOut.class);

  private final OutcomeSink[] sinks;

  OutcomeFanOut(List<OutcomeSink> sinks) {
    this.sinks = sinks.toArray(OutcomeSink[]::new);
  }

  @Override
  public void request(RequestOutcome outcome) {
    for (OutcomeSink sink : sinks) {
      try {
        sink.request(outcome);
      } catch (RuntimeException e) {
        LOG.warn("{} failed on a request outcome: {}", sink.getClass().getSimpleName(), e.toString());
      }
    }
  }

  @Override
  public void connection(TcpOutcome outcome) {
    for (OutcomeSink sink : sinks) {
      try {
        sink.connection(outcome);
      } catch (RuntimeException e) {
        LOG.warn("{} failed on a connection outcome: {}", sink.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
