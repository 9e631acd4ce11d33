package io.meshfed.control.plane.istio;

import java.util.Optional;

/**
 * Where a resource or a problem comes from: a file (with a position when known) or a Kubernetes API server.
 *
 * @param source a file path as the user gave it, or {@code cluster <name>} for objects read from Kubernetes
 * @param position the line and column in the file, when known
 */
public record Origin(String source, Optional<Position> position) {

  public static Origin of(String source) {
    return new Origin(source, Optional.empty());
  }

  public Origin at(Optional<Position> where) {
    return where.isPresent() ? new Origin(source, where) : this;
  }

  @Override
  public String toString() {
    return position.map(p -> source + ":" + p).orElse(source);
  }
}
