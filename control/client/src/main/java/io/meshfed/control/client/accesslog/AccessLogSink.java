package io.meshfed.control.client.accesslog;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Where access-log lines go. Only the {@link AccessLogger}'s worker thread calls a sink, so implementations may
 * block (file I/O) and need no synchronisation.
 */
public interface AccessLogSink extends Closeable {

  /** Writes one line (a JSON object, without the newline). */
  void write(String line) throws IOException;

  /** Pushes buffered lines out; called when the queue runs empty. */
  void flush() throws IOException;

  /** Standard output, as Istio's proxies log by default; closing flushes but leaves stdout open. */
  static AccessLogSink stdout() {
    return new WriterSink(new BufferedWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out),
        StandardCharsets.UTF_8), 64 * 1024), false);
  }

  /**
   * A file, appended to and created if missing. {@code /dev/stdout} and {@code /dev/stderr} work too.
   *
   * @throws IOException when the file cannot be opened, naming the path
   */
  static AccessLogSink file(Path path) throws IOException {
    Writer writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    return new WriterSink(writer, true);
  }

  /**
   * The sink of the gateway setting {@code accessLog.path} (docs/configuration.md): empty for none (entries still
   * reach {@code /requestz}), {@code /dev/stdout} for standard output, else a file appended to.
   *
   * @throws IOException when the file cannot be opened
   */
  public static Optional<AccessLogSink> forPath(String path) throws IOException {
    if (path == null || path.isBlank()) {
      return Optional.empty();
    }
    if (path.equals("/dev/stdout") || path.equals("-")) {
      return Optional.of(stdout());
    }
    return Optional.of(file(Path.of(path)));
  }

  /** Any writer (tests, an in-memory buffer); closing the sink closes the writer. */
  static AccessLogSink writer(Writer writer) {
    return new WriterSink(writer, true);
  }
}
