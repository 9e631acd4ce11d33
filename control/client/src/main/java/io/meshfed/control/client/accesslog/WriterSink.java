package io.meshfed.control.client.accesslog;

import java.io.IOException;
import java.io.Writer;

/** An {@link AccessLogSink} over a {@link Writer}, one line per entry. */
final class WriterSink implements AccessLogSink {

  private final Writer writer;
  private final boolean closeWriter;

  WriterSink(Writer writer, boolean closeWriter) {
    this.writer = writer;
    this.closeWriter = closeWriter;
  }

  @Override
  public void write(String line) throws IOException {
    writer.write(line);
    writer.write('\n');
  }

  @Override
  public void flush() throws IOException {
    writer.flush();
  }

  @Override
  public void close() throws IOException {
    writer.flush();
    if (closeWriter) {
      writer.close();
    }
  }
}
