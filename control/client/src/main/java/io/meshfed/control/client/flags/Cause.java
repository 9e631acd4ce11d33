package io.meshfed.control.client.flags;

import java.util.List;
import java.util.Objects;

/**
 * One likely cause of a response flag: what goes wrong, how to confirm it is this cause (a metric, a
 * {@code meshfed proxy-config} / {@code proxy-status} view, an access-log field) and how to fix it.
 *
 * @param name a short name ({@code keep-alive mismatch})
 * @param why how this cause produces the flag
 * @param confirm the checks that tell this cause from the others
 * @param fix what to change
 */
public record Cause(String name, String why, List<String> confirm, String fix) {

  public Cause {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(why, "why");
    Objects.requireNonNull(fix, "fix");
    confirm = List.copyOf(confirm);
  }
}
