package io.meshfed.federation.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.LoggerFactory;

/**
 * The events one logger (and those below it) logs while attached; logged from any thread, read from the test's.
 * The same shape as ingress-egress's, plus {@link #await}: a test can wait for the line a callback logs. The control
 * plane's tests use this one too, through federation's test-jar (ingress-egress does not depend on federation).
 */
public final class CapturedLogs implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent event) {
      // doAppend holds the appender's lock here.
      super.append(event);
      notifyAll();
    }
  };

  private CapturedLogs(Logger logger) {
    this.logger = logger;
    appender.start();
    logger.addAppender(appender);
  }

  /** Captures what {@code name} logs ({@link org.slf4j.Logger#ROOT_LOGGER_NAME} for everything). */
  public static CapturedLogs of(String name) {
    return new CapturedLogs((Logger) LoggerFactory.getLogger(name));
  }

  /** Every event so far. */
  public List<ILoggingEvent> events() {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  /** The events at WARN or above so far. */
  public List<ILoggingEvent> warnings() {
    return events().stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN)).toList();
  }

  /** The first event matching {@code wanted}, waiting for it at most {@code timeout}. */
  public ILoggingEvent await(Predicate<ILoggingEvent> wanted, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (appender) {
      while (true) {
        for (ILoggingEvent event : appender.list) {
          if (wanted.test(event)) {
            return event;
          }
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("no such log event within " + timeout + "; logged: " + appender.list.stream()
              .map(event -> event.getLevel() + " " + event.getFormattedMessage()).toList());
        }
        appender.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
  }
}
