package io.meshfed.control.plane.istio;

import java.util.Optional;

/**
 * One node of a parsed config document: an object, a list or a scalar, with where it was written.
 *
 * <p>YAML files and Kubernetes objects both become this tree, so one parser reads both and reports problems with
 * the file position when there is one.
 */
public sealed interface Value permits ObjectValue, ListValue, ScalarValue {

  /** Where the node starts in its file; empty for objects read from a Kubernetes API server. */
  Optional<Position> position();

  /** A short description of the node for error messages: the scalar's text, or {@code {...}} / {@code [...]}. */
  String describe();
}
