package io.meshfed.control.plane.istio;

/** A 1-based line and column in a YAML file. */
public record Position(int line, int column) {

  public Position {
    if (line < 1 || column < 1) {
      throw new IllegalArgumentException("position: " + line + ":" + column + " (expected: 1-based)");
    }
  }

  @Override
  public String toString() {
    return line + ":" + column;
  }
}
