package io.meshfed.trust.vault;

import java.nio.file.Path;

/**
 * How meshfed logs in to Vault. {@link #toString()} never prints a secret.
 *
 * <p>A {@link Token} cannot be replaced once Vault revokes it; {@link AppRole} and {@link Kubernetes} log in again
 * whenever Vault rejects the current token (expired, revoked) or renewal fails.
 */
public sealed interface VaultAuth {

  /** A Vault token given by the operator (for example from a Secret); renewed with {@code renew-self}. */
  record Token(String token) implements VaultAuth {
    public Token {
      if (token == null || token.isBlank()) {
        throw new IllegalArgumentException("vault token: empty (expected: a Vault token such as hvs.XXXX)");
      }
    }

    @Override
    public String toString() {
      return "Token(redacted)";
    }
  }

  /** AppRole login ({@code POST auth/<mount>/login} with {@code role_id} and {@code secret_id}). */
  record AppRole(String roleId, String secretId, String mount) implements VaultAuth {
    public AppRole {
      if (roleId == null || roleId.isBlank()) {
        throw new IllegalArgumentException("approle role_id: empty (expected: the AppRole's role_id)");
      }
      if (secretId == null || secretId.isBlank()) {
        throw new IllegalArgumentException("approle secret_id: empty (expected: a secret_id issued for the role)");
      }
      mount = mount == null || mount.isBlank() ? "approle" : mount;
    }

    @Override
    public String toString() {
      return "AppRole(roleId=" + roleId + ", secretId=redacted, mount=" + mount + ")";
    }
  }

  /**
   * Kubernetes login ({@code POST auth/<mount>/login} with {@code role} and the service account {@code jwt}); the
   * token file is re-read at each login because projected tokens rotate.
   */
  record Kubernetes(String role, Path jwtFile, String mount) implements VaultAuth {
    /** Where Kubernetes mounts a pod's service account token. */
    public static final Path DEFAULT_JWT_FILE = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    public Kubernetes {
      if (role == null || role.isBlank()) {
        throw new IllegalArgumentException("kubernetes auth role: empty (expected: the Vault role bound to this"
            + " service account)");
      }
      jwtFile = jwtFile == null ? DEFAULT_JWT_FILE : jwtFile;
      mount = mount == null || mount.isBlank() ? "kubernetes" : mount;
    }

    @Override
    public String toString() {
      return "Kubernetes(role=" + role + ", jwtFile=" + jwtFile + ", mount=" + mount + ")";
    }
  }

  /** True when a rejected token can be replaced by logging in again. */
  default boolean canLogIn() {
    return !(this instanceof Token);
  }
}
