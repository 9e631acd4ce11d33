package io.meshfed.control.plane.config;

import io.meshfed.control.plane.istio.Message;
import java.util.List;
import java.util.Objects;

/**
 * What one source holds right now: its objects and the problems of the source itself (invalid YAML, a missing CRD).
 *
 * @param source the source's name, e.g. {@code directory /etc/meshfed/config} or {@code kubernetes east}
 */
public record SourceContents(String source, List<RawResource> resources, List<Message> messages) {

  public SourceContents {
    Objects.requireNonNull(source, "source");
    resources = List.copyOf(resources);
    messages = List.copyOf(messages);
  }
}
