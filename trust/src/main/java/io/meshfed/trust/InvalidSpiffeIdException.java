package io.meshfed.trust;

/**
 * A string that is not a meshfed SPIFFE ID ({@code spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>}).
 * {@link #part()} names the offending part so callers can report it without parsing the message.
 */
public final class InvalidSpiffeIdException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  /** The parts of a SPIFFE ID an error can point at. */
  public enum Part { SCHEME, TRUST_DOMAIN, PATH, NAMESPACE, SERVICE_ACCOUNT, WHOLE }

  private final String input;
  private final Part part;

  InvalidSpiffeIdException(String input, Part part, String problem) {
    super("SPIFFE ID " + quote(input) + ": " + problem);
    this.input = input;
    this.part = part;
  }

  /** The rejected input, verbatim. */
  public String input() {
    return input;
  }

  /** Which part of the input is wrong. */
  public Part part() {
    return part;
  }

  private static String quote(String input) {
    if (input == null) {
      return "null";
    }
    return "\"" + (input.length() > 300 ? input.substring(0, 300) + "..." : input) + "\"";
  }
}
