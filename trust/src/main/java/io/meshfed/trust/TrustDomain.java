package io.meshfed.trust;

/**
 * A SPIFFE trust domain name, such as {@code cluster.local}.
 *
 * <p>The SPIFFE-ID specification (section 2.1) allows lowercase letters, digits, '.', '-' and '_' only; it is the
 * host part of a SPIFFE ID, without port or user info.
 */
public record TrustDomain(String name) {

  /** Longest trust domain the SPIFFE-ID specification allows (section 2.1: 255 bytes). */
  static final int MAX_LENGTH = 255;

  public TrustDomain {
    String problem = problem(name);
    if (problem != null) {
      throw new IllegalArgumentException("trust domain: " + problem);
    }
  }

  /** Parses a trust domain name, failing with the reason it is not one. */
  public static TrustDomain of(String name) {
    return new TrustDomain(name);
  }

  /** The SPIFFE ID of the trust domain itself, {@code spiffe://<name>}. */
  public String uri() {
    return "spiffe://" + name;
  }

  @Override
  public String toString() {
    return name;
  }

  /** Null when {@code name} is a valid trust domain, else the complaint in {@code value (expected: ...)} form. */
  static String problem(String name) {
    if (name == null || name.isEmpty()) {
      return "\"\" (expected: a non-empty name such as cluster.local)";
    }
    if (name.length() > MAX_LENGTH) {
      return "\"" + name.substring(0, 40) + "...\" is " + name.length() + " characters (expected: at most "
          + MAX_LENGTH + ")";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
      if (!allowed) {
        return "\"" + name + "\" has '" + c + "' at index " + i
            + " (expected: lowercase letters, digits, '.', '-' and '_' only; no port or user info)";
      }
    }
    return null;
  }
}
