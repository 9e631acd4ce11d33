package io.meshfed.control.plane.analyze;

import io.meshfed.control.plane.istio.Durations;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.VirtualService;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Retries must fit in the route timeout (MF0110). Envoy's route timeout covers the first try and every retry; each
 * try may last {@code perTryTimeout}. With {@code timeout} T and {@code perTryTimeout} P, at most floor(T / P) tries
 * run, so {@code attempts} beyond floor(T / P) - 1 retries never happen (backoff, 25ms and up, makes it worse).
 */
final class RetryTimeoutAnalyzer implements Analyzer {

  @Override
  public List<MessageType> reports() {
    return List.of(MessageType.RETRIES_EXCEED_TIMEOUT);
  }

  @Override
  public void analyze(AnalysisContext context, Consumer<Message> report) {
    for (VirtualService vs : context.snapshot().virtualServices()) {
      for (int i = 0; i < vs.http().size(); i++) {
        VirtualService.HttpRoute route = vs.http().get(i);
        if (route.timeout().isEmpty() || route.timeout().get().isZero() || route.retries().isEmpty()) {
          continue;
        }
        VirtualService.Retry retry = route.retries().get();
        if (retry.attempts() == 0 || retry.perTryTimeout().isEmpty()) {
          continue;
        }
        Duration timeout = route.timeout().get();
        Duration perTry = retry.perTryTimeout().get();
        long tries = Math.max(1, timeout.toNanos() / perTry.toNanos());
        long retriesThatFit = tries - 1;
        if (retriesThatFit >= retry.attempts()) {
          continue;
        }
        Duration needed = perTry.multipliedBy(retry.attempts() + 1L);
        Duration perTryThatFits = timeout.dividedBy(retry.attempts() + 1L);
        report.accept(Message.of(MessageType.RETRIES_EXCEED_TIMEOUT, vs.key(), vs.meta().origin(),
            "spec.http[" + i + "].retries",
            "attempts " + retry.attempts() + " x perTryTimeout " + Durations.format(perTry) + " does not fit in timeout "
                + Durations.format(timeout) + ": only " + retriesThatFit + " of " + retry.attempts()
                + " retries can run before the request times out (504 UT)",
            "raise timeout to at least " + Durations.format(needed) + ", or lower perTryTimeout to at most "
                + Durations.format(perTryThatFits) + ", or lower attempts to " + retriesThatFit));
      }
    }
  }
}
