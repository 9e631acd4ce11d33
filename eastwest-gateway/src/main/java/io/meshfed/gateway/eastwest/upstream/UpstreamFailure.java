package io.meshfed.gateway.eastwest.upstream;

import io.meshfed.gateway.eastwest.ResponseFlag;
import java.util.Set;

/** Why no upstream connection could be made: the response flags to record and a detail for the access log. */
public final class UpstreamFailure extends Exception {

  private final Set<ResponseFlag> flags;

  public UpstreamFailure(Set<ResponseFlag> flags, String detail, Throwable cause) {
    super(detail, cause, false, false);
    this.flags = Set.copyOf(flags);
  }

  public Set<ResponseFlag> flags() {
    return flags;
  }
}
