package io.meshfed.control.plane.istio;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Collects the messages found while reading one object; an object with an error-severity message is rejected. */
final class Problems {

  private final ResourceKey key;
  private final Origin origin;
  private final List<Message> messages = new ArrayList<>();

  Problems(ResourceKey key, Origin origin) {
    this.key = key;
    this.origin = origin;
  }

  ResourceKey key() {
    return key;
  }

  void add(MessageType type, String field, Optional<Position> where, String detail, String fix) {
    messages.add(Message.of(type, key, origin.at(where), field, detail, fix));
  }

  boolean rejects() {
    return messages.stream().anyMatch(message -> message.severity() == Severity.ERROR);
  }

  List<Message> messages() {
    return List.copyOf(messages);
  }
}
