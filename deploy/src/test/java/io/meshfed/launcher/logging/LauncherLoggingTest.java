package io.meshfed.launcher.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

class LauncherLoggingTest {

  @Test
  void logsToStderrWithHazelcastAndNettyAtWarn() {
    LoggerContext context = new LoggerContext();
    LauncherLogging.configureInCode(context, Level.DEBUG);

    ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.DEBUG);
    ConsoleAppender<?> appender = (ConsoleAppender<?>) root.getAppender("STDERR");
    assertThat(appender.isStarted()).isTrue();
    assertThat(appender.getTarget()).isEqualTo("System.err");
    assertThat(((PatternLayoutEncoder) appender.getEncoder()).getPattern()).isEqualTo(LauncherLogging.PATTERN);
    assertThat(context.getLogger("com.hazelcast").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.meshfed").getEffectiveLevel()).isEqualTo(Level.DEBUG);
  }

  @Test
  void rootLevelFollowsTheSettingAndFallsBackToInfo() {
    assertThat(LauncherLogging.rootLevel(null)).isEqualTo(Level.INFO);
    assertThat(LauncherLogging.rootLevel(" ")).isEqualTo(Level.INFO);
    assertThat(LauncherLogging.rootLevel("warn")).isEqualTo(Level.WARN);
    assertThat(LauncherLogging.rootLevel(" DEBUG ")).isEqualTo(Level.DEBUG);
    assertThat(LauncherLogging.rootLevel("loud")).isEqualTo(Level.INFO);
  }

  @Test
  void isTheConfiguratorLogbackFinds() {
    // Registered as a service, as logback's ContextInitializer looks for configurators before its own.
    assertThat(ServiceLoader.load(Configurator.class)).anyMatch(LauncherLogging.class::isInstance);
  }

  @Test
  void handsOverToLogbackWhenAConfigurationFileIsPresent() {
    // The test class path carries logback-test.xml, as every module's tests do.
    LoggerContext context = new LoggerContext();
    LauncherLogging logging = new LauncherLogging();
    logging.setContext(context);

    assertThat(logging.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNull();
  }
}
