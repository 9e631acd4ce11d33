package io.meshfed.control.plane.istio;

import java.util.Optional;

/** A YAML file that cannot be read as YAML, with where the parser gave up. */
public final class YamlSyntaxException extends Exception {

  private static final long serialVersionUID = 1L;

  private final String source;
  private final Optional<Position> position;
  private final String problem;

  public YamlSyntaxException(String source, Optional<Position> position, String problem) {
    super(source + position.map(p -> ":" + p).orElse("") + ": " + problem);
    this.source = source;
    this.position = position;
    this.problem = problem;
  }

  public String source() {
    return source;
  }

  public Optional<Position> position() {
    return position;
  }

  /** What is wrong, without the location. */
  public String problem() {
    return problem;
  }
}
