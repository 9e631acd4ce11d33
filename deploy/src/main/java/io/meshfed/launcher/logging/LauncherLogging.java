package io.meshfed.launcher.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * The launcher's logging, configured in code: every line to stderr (stdout stays for command output: tables, YAML,
 * JSON), Hazelcast and Netty at WARN, the rest at {@code MESHFED_LOG_LEVEL} (system property or environment; INFO by
 * default).
 *
 * <p>Configuring in code keeps logback's XML configurator and the JDK's XML parser out of every process: in the L7
 * gateway, about 475 classes and 2 MiB of metaspace. A {@code logback.configurationFile} system property or a
 * {@code logback-test.xml} on the class path still wins: this configurator then hands over to logback's own.
 */
public final class LauncherLogging extends ContextAwareBase implements Configurator {

  static final String LEVEL_VARIABLE = "MESHFED_LOG_LEVEL";
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null
        || LauncherLogging.class.getClassLoader().getResource("logback-test.xml") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    configureInCode(context, rootLevel(setting()));
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  static void configureInCode(LoggerContext context, Level rootLevel) {
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();

    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();

    context.getLogger("com.hazelcast").setLevel(Level.WARN);
    context.getLogger("io.netty").setLevel(Level.WARN);
    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(rootLevel);
    root.addAppender(stderr);
  }

  private static String setting() {
    String property = System.getProperty(LEVEL_VARIABLE);
    return property != null ? property : System.getenv(LEVEL_VARIABLE);
  }

  /** The root level a {@code MESHFED_LOG_LEVEL} value asks for: INFO when unset, and when unknown (with a line). */
  static Level rootLevel(String setting) {
    if (setting == null || setting.isBlank()) {
      return Level.INFO;
    }
    Level level = Level.toLevel(setting.trim(), null);
    if (level == null) {
      System.err.println(LEVEL_VARIABLE + "=" + setting + " is not a log level; logging at INFO. Use one of TRACE, "
          + "DEBUG, INFO, WARN, ERROR, OFF.");
      return Level.INFO;
    }
    return level;
  }
}
