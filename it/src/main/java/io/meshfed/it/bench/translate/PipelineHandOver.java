package io.meshfed.it.bench.translate;

import io.meshfed.control.plane.translate.MeshTranslator;
import io.meshfed.control.plane.translate.MeshView;
import io.meshfed.control.plane.translate.Translation;
import io.meshfed.control.plane.xds.SnapshotCache;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The control plane's hand-over of translations to the ADS server, as {@code TranslationPipeline.run} does it: the
 * translation in {@code executeBlocking} on the pipeline's context, then, back on that context, each group's
 * snapshot to {@link SnapshotCache#setSnapshot}.
 */
final class PipelineHandOver {

  private static final Duration TIMEOUT = Duration.ofSeconds(600);

  private final Vertx vertx;
  private final Context context;
  private final SnapshotCache cache;

  PipelineHandOver(Vertx vertx, SnapshotCache cache) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.cache = cache;
  }

  /** One translation handed over; returns once the server recorded every snapshot. */
  Run translate(MeshTranslator translator, MeshView view) throws Exception {
    CompletableFuture<Run> done = new CompletableFuture<>();
    long[] times = new long[2];
    context.runOnContext(v -> vertx.<Translation>executeBlocking(() -> {
      times[0] = System.nanoTime();
      Translation t = translator.translate(view);
      times[1] = System.nanoTime();
      return t;
    }, false).onComplete(result -> context.runOnContext(w -> {
      if (result.failed()) {
        done.completeExceptionally(result.cause());
        return;
      }
      long set = System.nanoTime();
      List<Future<Void>> stored = new ArrayList<>();
      result.result().snapshots().forEach((group, snapshot) -> stored.add(cache.setSnapshot(group, snapshot)));
      Future.all(stored).onComplete(all -> {
        if (all.failed()) {
          done.completeExceptionally(all.cause());
        } else {
          done.complete(new Run(result.result(), times[0], times[1], set, System.nanoTime()));
        }
      });
    })));
    return done.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /**
   * @param handedNanos when the view was handed to the translator
   * @param translatedNanos when it returned
   * @param setNanos when the snapshots were handed to the cache
   * @param storedNanos when the server had recorded them all
   */
  record Run(Translation translation, long handedNanos, long translatedNanos, long setNanos, long storedNanos) {
    double translationMs() {
      return (translatedNanos - handedNanos) / 1e6;
    }
  }
}
