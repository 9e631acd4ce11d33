package io.meshfed.trust.ca.local;

import io.meshfed.trust.Pem;
import io.meshfed.trust.PeerVerification;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.CaCertificates;
import io.meshfed.trust.ca.CaException;
import io.meshfed.trust.ca.IntermediateSigner;
import io.meshfed.trust.ca.KeyAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The local root CA: a key and self-signed certificate in a directory, plus roots still trusted after a rotation.
 * Blocking file I/O: call from a worker or the CLI.
 *
 * <p>Files: {@code root-key.pem} (PKCS#8, mode 0600; loading refuses a key readable by group or others),
 * {@code root-cert.pem}, and {@code trusted-roots.pem} (earlier roots, kept in the bundle until removed by hand).
 */
public final class LocalRoot {

  static final String KEY_FILE = "root-key.pem";
  static final String CERT_FILE = "root-cert.pem";
  static final String TRUSTED_FILE = "trusted-roots.pem";
  /** Default root lifetime: ten years, like Istio's self-signed root. */
  public static final Duration DEFAULT_TTL = Duration.ofDays(3650);
  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  private final Path directory;
  private final PrivateKey key;
  private final X509Certificate certificate;
  private final List<X509Certificate> previousRoots;
  private final TrustDomain trustDomain;

  private LocalRoot(Path directory, PrivateKey key, X509Certificate certificate, List<X509Certificate> previous) {
    this.directory = directory;
    this.key = key;
    this.certificate = certificate;
    this.previousRoots = List.copyOf(previous);
    this.trustDomain = trustDomainOf(certificate, directory);
  }

  /** True when {@code directory} holds a root. */
  public static boolean exists(Path directory) {
    return Files.exists(directory.resolve(KEY_FILE)) || Files.exists(directory.resolve(CERT_FILE));
  }

  /** Creates a new root in {@code directory}; fails if one is already there. */
  public static LocalRoot create(Path directory, TrustDomain trustDomain, Duration ttl) {
    if (exists(directory)) {
      throw new CaException(CaException.Reason.MISCONFIGURED, directory + ": already holds a root CA"
          + " (expected: an empty directory; use `meshfed ca inspect` to see it)");
    }
    try {
      createPrivateDirectory(directory);
      KeyPair keyPair = KeyAlgorithm.EC_P256.generate();
      X509Certificate root = CaCertificates.selfSignedRoot(keyPair, trustDomain, "meshfed root CA", ttl);
      writePrivate(directory.resolve(KEY_FILE), Pem.encodePrivateKey(keyPair.getPrivate()));
      writeAtomically(directory.resolve(CERT_FILE), Pem.encodeCertificates(List.of(root)));
      return new LocalRoot(directory, keyPair.getPrivate(), root, List.of());
    } catch (IOException e) {
      throw new CaException(CaException.Reason.MISCONFIGURED, directory + ": cannot create the root CA: " + e, e);
    }
  }

  /** Loads the root in {@code directory}, refusing a key file that group or others can read. */
  public static LocalRoot load(Path directory) {
    Path keyFile = directory.resolve(KEY_FILE);
    Path certFile = directory.resolve(CERT_FILE);
    if (!Files.exists(keyFile) || !Files.exists(certFile)) {
      throw new CaException(CaException.Reason.MISCONFIGURED, directory + ": no root CA (" + KEY_FILE + " and "
          + CERT_FILE + " expected; create one with `meshfed ca init`)");
    }
    checkOwnerOnly(keyFile);
    try {
      PrivateKey key = Pem.privateKey(Files.readString(keyFile, StandardCharsets.US_ASCII), keyFile.toString());
      List<X509Certificate> certificates = Pem.certificates(Files.readString(certFile, StandardCharsets.US_ASCII),
          certFile.toString());
      Path trustedFile = directory.resolve(TRUSTED_FILE);
      List<X509Certificate> previous = Files.exists(trustedFile)
          ? Pem.certificates(Files.readString(trustedFile, StandardCharsets.US_ASCII), trustedFile.toString())
          : List.of();
      X509Certificate root = certificates.get(0);
      if (!root.getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
        throw new CaException(CaException.Reason.MISCONFIGURED, keyFile + ": a " + key.getAlgorithm()
            + " key does not match the " + root.getPublicKey().getAlgorithm() + " root in " + certFile);
      }
      return new LocalRoot(directory, key, root, previous);
    } catch (IOException e) {
      throw new CaException(CaException.Reason.MISCONFIGURED, directory + ": cannot read the root CA: " + e, e);
    } catch (IllegalArgumentException e) {
      throw new CaException(CaException.Reason.MISCONFIGURED, e.getMessage(), e);
    }
  }

  /**
   * Loads the root in {@code directory}, creating it on first start; fails if the existing root serves another
   * trust domain.
   */
  public static LocalRoot loadOrCreate(Path directory, TrustDomain trustDomain) {
    if (!exists(directory)) {
      try {
        return create(directory, trustDomain, DEFAULT_TTL);
      } catch (CaException e) {
        if (!(e.getCause() instanceof FileAlreadyExistsException)) {
          throw e;
        }
        // Another process created it first: load theirs.
      }
    }
    LocalRoot root = load(directory);
    if (!root.trustDomain().equals(trustDomain)) {
      throw new CaException(CaException.Reason.MISCONFIGURED, directory + ": the root serves trust domain "
          + root.trustDomain() + " but the config says " + trustDomain
          + " (expected: the same trust domain; add the other as an alias, or use another data directory)");
    }
    return root;
  }

  /**
   * Replaces the root with a new one and keeps the old one in {@code trusted-roots.pem}, so the bundle holds both
   * while leaves are re-issued. Drop the old root from that file once nothing chains to it.
   */
  public LocalRoot rotate(Duration ttl) {
    try {
      KeyPair keyPair = KeyAlgorithm.EC_P256.generate();
      X509Certificate root = CaCertificates.selfSignedRoot(keyPair, trustDomain, "meshfed root CA", ttl);
      List<X509Certificate> previous = new ArrayList<>(previousRoots);
      previous.add(certificate);
      // Trusted roots first: a crash half-way leaves the old root both current and trusted, never untrusted.
      writeAtomically(directory.resolve(TRUSTED_FILE), Pem.encodeCertificates(previous));
      Path newKey = directory.resolve(KEY_FILE + ".new");
      Files.deleteIfExists(newKey);
      writePrivate(newKey, Pem.encodePrivateKey(keyPair.getPrivate()));
      writeAtomically(directory.resolve(CERT_FILE + ".new"), Pem.encodeCertificates(List.of(root)));
      move(newKey, directory.resolve(KEY_FILE));
      move(directory.resolve(CERT_FILE + ".new"), directory.resolve(CERT_FILE));
      return new LocalRoot(directory, keyPair.getPrivate(), root, previous);
    } catch (IOException e) {
      throw new CaException(CaException.Reason.MISCONFIGURED, directory + ": cannot rotate the root CA: " + e, e);
    }
  }

  /** The bundle: the current root and every still-trusted earlier root, with {@code aliases} accepted too. */
  public TrustBundle bundle(Set<TrustDomain> aliases) {
    TrustBundle.Builder builder = TrustBundle.builder(trustDomain).addRoots(previousRoots).addRoot(certificate);
    aliases.forEach(builder::alias);
    return builder.build();
  }

  /**
   * A new intermediate for {@code clusterId} under this root, its key in memory only, valid for {@code ttl} (capped at
   * the root's expiry), issuing leaves in this root's trust domain and {@code aliases}.
   */
  public IntermediateSigner intermediate(String clusterId, Duration ttl, Set<TrustDomain> aliases) {
    KeyPair keyPair = KeyAlgorithm.EC_P256.generate();
    X509Certificate intermediate = CaCertificates.intermediate(keyPair.getPublic(), trustDomain,
        "meshfed intermediate " + clusterId, ttl, certificate, key);
    return IntermediateSigner.create(keyPair.getPrivate(), List.of(intermediate), bundle(aliases));
  }

  /** The directory the root lives in. */
  public Path directory() {
    return directory;
  }

  /** The current root certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** Earlier roots still trusted. */
  public List<X509Certificate> previousRoots() {
    return previousRoots;
  }

  /** The trust domain named in the root's URI SAN. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  private static TrustDomain trustDomainOf(X509Certificate root, Path directory) {
    try {
      if (root.getSubjectAlternativeNames() != null) {
        for (List<?> name : root.getSubjectAlternativeNames()) {
          if ((Integer) name.get(0) == 6 && ((String) name.get(1)).startsWith("spiffe://")) {
            return TrustDomain.of(((String) name.get(1)).substring("spiffe://".length()));
          }
        }
      }
    } catch (CertificateParsingException | IllegalArgumentException e) {
      throw new CaException(CaException.Reason.MISCONFIGURED, directory.resolve(CERT_FILE)
          + ": the root's URI SAN is not spiffe://<trust-domain>: " + e.getMessage(), e);
    }
    throw new CaException(CaException.Reason.MISCONFIGURED, directory.resolve(CERT_FILE)
        + ": the root has no spiffe://<trust-domain> URI SAN (expected: a root made by `meshfed ca init`)");
  }

  private static void checkOwnerOnly(Path keyFile) {
    PosixFileAttributeView view = Files.getFileAttributeView(keyFile, PosixFileAttributeView.class);
    if (view == null) {
      return; // Not a POSIX file system: permissions cannot be checked the same way.
    }
    try {
      Set<PosixFilePermission> permissions = view.readAttributes().permissions();
      if (!OWNER_ONLY.containsAll(permissions)) {
        throw new CaException(CaException.Reason.MISCONFIGURED, keyFile + ": permissions "
            + PosixFilePermissions.toString(permissions) + " let others read the root key (expected: rw------- ; run"
            + " chmod 600 " + keyFile + ")");
      }
    } catch (IOException e) {
      throw new CaException(CaException.Reason.MISCONFIGURED, keyFile + ": cannot read permissions: " + e, e);
    }
  }

  private static void createPrivateDirectory(Path directory) throws IOException {
    if (Files.isDirectory(directory)) {
      return;
    }
    if (Files.getFileStore(existingAncestor(directory)).supportsFileAttributeView(PosixFileAttributeView.class)) {
      Files.createDirectories(directory,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } else {
      Files.createDirectories(directory);
    }
  }

  private static Path existingAncestor(Path path) {
    Path at = path.toAbsolutePath();
    while (at != null && !Files.exists(at)) {
      at = at.getParent();
    }
    return at;
  }

  /** Creates {@code file} readable by its owner only, before any secret byte is written. */
  private static void writePrivate(Path file, String content) throws IOException {
    if (Files.getFileStore(file.getParent()).supportsFileAttributeView(PosixFileAttributeView.class)) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    } else {
      Files.createFile(file);
    }
    Files.writeString(file, content, StandardCharsets.US_ASCII);
  }

  private static void writeAtomically(Path file, String content) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temporary, content, StandardCharsets.US_ASCII);
    move(temporary, file);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Checks {@code certificate} chains to this root's bundle; used by {@code meshfed ca inspect}. */
  public PeerVerification verify(List<X509Certificate> chain) {
    return bundle(Set.of()).verify(chain);
  }

  @Override
  public String toString() {
    return "LocalRoot{" + directory + ", " + trustDomain + ", notAfter=" + certificate.getNotAfter().toInstant()
        + ", previous=" + previousRoots.size() + "}";
  }
}
