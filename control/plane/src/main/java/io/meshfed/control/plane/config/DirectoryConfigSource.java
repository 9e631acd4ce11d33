package io.meshfed.control.plane.config;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.Origin;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of YAML config (multi-document {@code .yaml}/{@code .yml} files, searched recursively), watched for
 * changes. One worker thread ({@code meshfed-config-dir}) owns the reading: it waits on the JDK
 * {@link WatchService}, lets a burst of events settle for {@code debounce}, then rescans, re-reading only files
 * whose size or modification time changed. A periodic rescan catches what the watch service misses (some network
 * file systems, overflowed event queues).
 *
 * <p>A file that stops parsing as YAML keeps its objects from the last time it parsed (the error is reported); a
 * deleted file's objects are removed.
 */
public final class DirectoryConfigSource implements ConfigSource {

  private static final Logger LOG = LoggerFactory.getLogger(DirectoryConfigSource.class);

  private record FileState(FileTime modified, long size, List<RawResource> serving, Optional<Message> error) {
  }

  private final Path directory;
  private final Duration debounce;
  private final Duration rescanInterval;
  private final String name;
  private volatile SourceContents contents;
  private volatile boolean ready;
  private volatile boolean closed;
  private Thread worker;
  private WatchService watchService;

  // Owned by the worker thread.
  private Map<Path, FileState> files = new HashMap<>();

  private DirectoryConfigSource(Builder b) {
    this.directory = b.directory;
    this.debounce = b.debounce;
    this.rescanInterval = b.rescanInterval;
    this.name = "directory " + directory;
    this.contents = new SourceContents(name, List.of(), List.of());
  }

  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public synchronized void start(Runnable onChange) {
    if (worker != null) {
      throw new IllegalStateException(name + ": already started");
    }
    worker = new Thread(() -> run(onChange), "meshfed-config-dir");
    worker.setDaemon(true);
    worker.start();
  }

  @Override
  public boolean ready() {
    return ready;
  }

  @Override
  public SourceContents contents() {
    return contents;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (watchService != null) {
      try {
        watchService.close();
      } catch (IOException e) {
        LOG.debug("closing the watch service of {}", name, e);
      }
    }
    if (worker != null) {
      worker.interrupt();
    }
  }

  private void run(Runnable onChange) {
    scan();
    ready = true;
    onChange.run();
    try (WatchService watcher = FileSystems.getDefault().newWatchService()) {
      synchronized (this) {
        watchService = watcher;
      }
      register(watcher);
      while (!closed) {
        WatchKey key = watcher.poll(rescanInterval.toMillis(), TimeUnit.MILLISECONDS);
        if (key != null) {
          drain(key);
          // Let a burst (an editor's write-and-rename, kubectl's ConfigMap symlink swap) settle.
          for (WatchKey more = watcher.poll(debounce.toMillis(), TimeUnit.MILLISECONDS); more != null;
              more = watcher.poll(debounce.toMillis(), TimeUnit.MILLISECONDS)) {
            drain(more);
          }
          register(watcher);
        }
        if (scan()) {
          onChange.run();
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      if (!closed) {
        LOG.warn("{}: watching stopped unexpectedly", name, e);
      }
    } catch (IOException | RuntimeException e) {
      LOG.error("{}: watching failed; the last contents keep serving", name, e);
    }
  }

  private static void drain(WatchKey key) {
    key.pollEvents();
    key.reset();
  }

  private void register(WatchService watcher) {
    try (Stream<Path> dirs = Files.walk(directory, FileVisitOption.FOLLOW_LINKS)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        dir.register(watcher, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("{}: registering directories for watching", name, e);
    }
  }

  /** Re-reads changed files; returns whether the contents changed. */
  private boolean scan() {
    List<Path> found;
    try {
      found = YamlFiles.find(directory);
    } catch (IOException | RuntimeException e) {
      Message problem = new Message(MessageType.SOURCE_PROBLEM, Optional.empty(), Origin.of(directory.toString()),
          "", "cannot list the directory: " + e.getMessage() + "; the objects read before keep serving",
          "restore the directory", Optional.empty());
      SourceContents kept = new SourceContents(name, contents.resources(), List.of(problem));
      boolean changed = !kept.messages().equals(contents.messages());
      contents = kept;
      return changed;
    }
    Map<Path, FileState> next = new HashMap<>();
    boolean changed = found.size() != files.size();
    for (Path file : found) {
      FileState previous = files.get(file);
      FileState state = read(file, previous);
      changed |= state != previous;
      next.put(file, state);
    }
    files = next;
    if (changed) {
      List<RawResource> resources = new ArrayList<>();
      List<Message> messages = new ArrayList<>();
      for (Path file : found) {
        FileState state = next.get(file);
        resources.addAll(state.serving());
        state.error().ifPresent(messages::add);
      }
      contents = new SourceContents(name, resources, messages);
    }
    return changed;
  }

  private FileState read(Path file, FileState previous) {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (IOException e) {
      return previous != null ? previous : new FileState(FileTime.fromMillis(0), -1, List.of(), Optional.empty());
    }
    if (previous != null && previous.modified().equals(attributes.lastModifiedTime())
        && previous.size() == attributes.size()) {
      return previous;
    }
    YamlFiles.FileRead read = YamlFiles.read(file, file.toString());
    if (read.error().isPresent() && previous != null && !previous.serving().isEmpty()) {
      Message kept = read.error().get().withNote(previous.serving().size()
          + " object(s) last read from this file keep serving");
      return new FileState(attributes.lastModifiedTime(), attributes.size(), previous.serving(), Optional.of(kept));
    }
    return new FileState(attributes.lastModifiedTime(), attributes.size(), read.resources(), read.error());
  }

  /** Builds a {@link DirectoryConfigSource}; each setter validates its argument. */
  public static final class Builder {

    private final Path directory;
    private Duration debounce = Duration.ofMillis(100);
    private Duration rescanInterval = Duration.ofSeconds(30);

    private Builder(Path directory) {
      Objects.requireNonNull(directory, "directory");
      if (!Files.isDirectory(directory)) {
        throw new IllegalArgumentException("directory: " + directory + " (expected: an existing directory of YAML)");
      }
      this.directory = directory;
    }

    /** How long events must pause before the directory is rescanned (default 100ms). */
    public Builder debounce(Duration debounce) {
      if (debounce.isNegative() || debounce.isZero()) {
        throw new IllegalArgumentException("debounce: " + debounce + " (expected: > 0)");
      }
      this.debounce = debounce;
      return this;
    }

    /** A full rescan at this interval even without events (default 30s). */
    public Builder rescanInterval(Duration interval) {
      if (interval.compareTo(Duration.ofMillis(10)) < 0) {
        throw new IllegalArgumentException("rescanInterval: " + interval + " (expected: >= 10ms)");
      }
      this.rescanInterval = interval;
      return this;
    }

    public DirectoryConfigSource build() {
      return new DirectoryConfigSource(this);
    }
  }
}
