package io.meshfed.control.client.runtime;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gateway process for {@link DrainOnSigtermTest}: one listener with one request in flight that finishes 400 ms
 * after accepting stops. Prints what happens on stdout.
 */
public final class DrainOnSigtermMain {

  private DrainOnSigtermMain() {
  }

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    GatewayRuntime runtime = RuntimeFixture.runtime(vertx).drainTimeout(Duration.ofSeconds(10)).build();
    RuntimeFixture.await(runtime.start());
    AtomicInteger inFlight = new AtomicInteger(1);
    runtime.register(new Drainable() {
      @Override
      public String name() {
        return "listener 0.0.0.0_8080";
      }

      @Override
      public Future<Void> stopAccepting() {
        System.out.println("STOP_ACCEPTING ready=" + runtime.readiness().check().ready());
        vertx.setTimer(400, timer -> {
          System.out.println("REQUEST_FINISHED");
          inFlight.set(0);
        });
        return Future.succeededFuture();
      }

      @Override
      public int inFlight() {
        return inFlight.get();
      }

      @Override
      public Future<Void> closeRemaining() {
        System.out.println("FORCED");
        return Future.succeededFuture();
      }
    });
    runtime.drainOnShutdown();
    System.out.println("READY " + runtime.adminPort());
    System.out.flush();
    Thread.sleep(TimeUnit.MINUTES.toMillis(2));
    System.out.println("NO_SIGNAL");
    System.exit(3);
  }
}
