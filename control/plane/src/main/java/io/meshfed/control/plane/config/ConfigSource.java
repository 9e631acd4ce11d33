package io.meshfed.control.plane.config;

/**
 * A place config comes from. A source reads on its own threads (never an event loop), keeps its latest contents
 * and says when they change; the {@link ConfigStore} pulls {@link #contents()} when it rebuilds.
 */
public interface ConfigSource extends AutoCloseable {

  /** E.g. {@code directory /etc/meshfed/config}. */
  String name();

  /** Starts reading; {@code onChange} runs (on any thread) after each change, including the first full read. */
  void start(Runnable onChange);

  /** Whether the first full read is done; the store publishes nothing before every source is ready. */
  boolean ready();

  /** The latest contents; thread-safe. */
  SourceContents contents();

  @Override
  void close();
}
