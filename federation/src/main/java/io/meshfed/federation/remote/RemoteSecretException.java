package io.meshfed.federation.remote;

/** A remote-cluster Secret that cannot be used, naming the Secret, the field and the fix. */
public final class RemoteSecretException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String secret;
  private final String field;

  RemoteSecretException(String secret, String field, String problem) {
    super("secret " + secret + ": " + field + ": " + problem);
    this.secret = secret;
    this.field = field;
  }

  public String secret() {
    return secret;
  }

  public String field() {
    return field;
  }
}
