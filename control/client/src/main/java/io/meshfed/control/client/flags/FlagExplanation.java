package io.meshfed.control.client.flags;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a response flag (or a flag-less failure) means for an operator: what happened, the status it usually comes
 * with, and its likely causes in the order worth checking.
 *
 * @param subject the flag's short code, {@code -} for no flag, or the response code details it explains
 *     ({@code rbac_access_denied})
 * @param title Envoy's long name or a short title
 * @param typicalStatus the status a response with this flag usually carries, in words ({@code 503})
 * @param whatHappened what the gateway did and why
 * @param causes likely causes, most common first
 */
public record FlagExplanation(String subject, String title, String typicalStatus, String whatHappened,
    List<Cause> causes) {

  public FlagExplanation {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(typicalStatus, "typicalStatus");
    Objects.requireNonNull(whatHappened, "whatHappened");
    causes = List.copyOf(causes);
  }

  static Builder builder(String subject, String title) {
    return new Builder(subject, title);
  }

  /** Assembles one explanation; package-private because the catalogue is the only author. */
  static final class Builder {
    private final String subject;
    private final String title;
    private String typicalStatus = "varies";
    private String whatHappened;
    private final List<Cause> causes = new ArrayList<>();

    private Builder(String subject, String title) {
      this.subject = subject;
      this.title = title;
    }

    Builder status(String typicalStatus) {
      this.typicalStatus = typicalStatus;
      return this;
    }

    Builder what(String whatHappened) {
      this.whatHappened = whatHappened;
      return this;
    }

    Builder cause(String name, String why, String fix, String... confirm) {
      causes.add(new Cause(name, why, List.of(confirm), fix));
      return this;
    }

    FlagExplanation build() {
      if (whatHappened == null || causes.isEmpty()) {
        throw new IllegalStateException("explanation of " + subject + ": needs what happened and at least one cause");
      }
      return new FlagExplanation(subject, title, typicalStatus, whatHappened, causes);
    }
  }
}
