package io.meshfed.control.plane.ca;

import io.meshfed.trust.InvalidSpiffeIdException;
import io.meshfed.trust.SpiffeId;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Bootstrap tokens for the embedded (directory) mode, where no Kubernetes API can review service-account tokens:
 * {@code <dataDir>/bootstrap-tokens} (mode 0600) maps tokens to the identity they may get a first certificate for.
 * {@code meshfed demo} and local multi-process runs issue one per gateway with {@link #issue}; the gateway presents it
 * as {@code authorization: Bearer <token>} and renews with its SVID afterwards.
 *
 * <p>File format, one token per line: {@code sha256:<hex of the token> <spiffe id>}; {@code #} starts a comment. Only
 * digests are stored, so reading the file does not reveal a token. The file is re-read when it changes; a file
 * readable by group or others is refused, as the local CA refuses such a root key.
 */
public final class BootstrapTokens implements Authenticator {

  /** The file name in the data directory. */
  public static final String FILE_NAME = "bootstrap-tokens";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<PosixFilePermission> OWNER_ONLY =
      Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  private final Vertx vertx;
  private final Path file;
  // Replaced whole on a worker after a reload; read from any thread.
  private volatile Loaded loaded = new Loaded(null, -1, Map.of());

  private record Loaded(FileTime modified, long size, Map<String, SpiffeId> byDigest) {
  }

  BootstrapTokens(Vertx vertx, Path file) {
    this.vertx = vertx;
    this.file = file;
  }

  /** The token file of a data directory. */
  public static Path file(Path dataDir) {
    return dataDir.resolve(FILE_NAME);
  }

  /**
   * Creates a random token for {@code identity}, appends its digest to {@code <dataDir>/bootstrap-tokens}
   * (creating the file 0600) and returns the token: give it to that one gateway, it is not stored anywhere else.
   * Blocking (file I/O).
   */
  public static synchronized String issue(Path dataDir, SpiffeId identity) {
    byte[] random = new byte[32];
    RANDOM.nextBytes(random);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Path target = file(dataDir);
    try {
      Files.createDirectories(dataDir);
      if (!Files.exists(target)) {
        Files.createFile(target, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      }
      Files.writeString(target, "sha256:" + digest(token) + " " + identity + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("bootstrap tokens " + target + ": cannot write: " + e.getMessage(), e);
    }
    return token;
  }

  @Override
  public Future<Optional<Caller>> authenticate(CallContext call) {
    if (call.bearerToken().isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    String token = call.bearerToken().get();
    return vertx.executeBlocking(() -> {
      reloadIfChanged();
      SpiffeId identity = loaded.byDigest().get(digest(token));
      return Optional.ofNullable(identity).map(id -> new Caller(id, "bootstrap-token"));
    }, false);
  }

  /** On a worker: stat the file, re-read it when it changed. */
  private void reloadIfChanged() throws IOException {
    if (!Files.exists(file)) {
      loaded = new Loaded(null, -1, Map.of());
      return;
    }
    FileTime modified = Files.getLastModifiedTime(file);
    long size = Files.size(file);
    Loaded current = loaded;
    if (modified.equals(current.modified()) && size == current.size()) {
      return;
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    if (!OWNER_ONLY.containsAll(permissions)) {
      throw new CallerRejectedException("bootstrap tokens " + file + " has mode "
          + PosixFilePermissions.toString(permissions) + " (expected: 0600; chmod 600 " + file + ")");
    }
    Map<String, SpiffeId> byDigest = new HashMap<>();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length != 2 || !parts[0].startsWith("sha256:")) {
        throw new CallerRejectedException("bootstrap tokens " + file + ":" + (i + 1)
            + ": malformed line (expected: sha256:<hex> spiffe://<td>/ns/<ns>/sa/<sa>)");
      }
      try {
        byDigest.put(parts[0].substring("sha256:".length()), SpiffeId.parse(parts[1]));
      } catch (InvalidSpiffeIdException e) {
        throw new CallerRejectedException("bootstrap tokens " + file + ":" + (i + 1) + ": " + e.getMessage());
      }
    }
    loaded = new Loaded(modified, size, Map.copyOf(byDigest));
  }

  static String digest(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }
}
