package io.meshfed.control.plane.runtime;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The translation {@code meshfed control-plane} runs. The Istio-model-to-xDS translator
 * ({@code io.meshfed.control.plane.translate}) is built on a separate branch; until it is merged, this build serves
 * no resources: gateways connect, are listed by {@code /debug/syncz}, and get nothing (NOT SENT). It says so once in
 * the log instead of pretending.
 */
public final class DefaultTranslation {

  private static final Logger LOG = LoggerFactory.getLogger(DefaultTranslation.class);

  private DefaultTranslation() {
  }

  public static Translation create() {
    AtomicBoolean said = new AtomicBoolean();
    return (state, groups) -> {
      if (said.compareAndSet(false, true)) {
        LOG.warn("xDS translation is not part of this build yet: gateway groups {} get no resources", groups);
      }
      return Map.of();
    };
  }
}
