package io.meshfed.gateway.l7.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The events one logger (and those below it) logs while attached; logged from any thread, read from the test's. */
public final class CapturedLogs implements AutoCloseable {

  private final Logger logger;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

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
    // ListAppender appends under the appender's lock.
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  /** The events at WARN or above so far. */
  public List<ILoggingEvent> warnings() {
    return events().stream().filter(event -> event.getLevel().isGreaterOrEqual(Level.WARN)).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
  }
}
