package io.meshfed.control.client.ca;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.meshfed.trust.Pem;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.Svid;
import io.meshfed.trust.TrustBundle;
import io.meshfed.trust.ca.IssuedCertificate;
import io.meshfed.trust.ca.KeyAlgorithm;
import io.meshfed.trust.ca.SvidRequest;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A gateway's client of the control plane's CA service ({@link IstioCaProtocol}) on :15012: generates a key and a
 * CSR for the gateway's identity (on a worker thread), sends it with a token or the current SVID, and returns the new
 * {@link Svid}. The server is verified by SPIFFE rules against the mesh root (the published {@code root-cert.pem}):
 * its certificate must be the control plane's identity.
 *
 * <pre>{@code
 * CaClient ca = CaClient.builder(vertx)
 *     .server(SocketAddress.inetSocketAddress(15012, "meshfed-control-plane.meshfed-system"))
 *     .trust(TrustBundle.builder("cluster.local").addRootsPem(rootPem, "root-cert.pem").build())
 *     .build();
 * ca.issue(myId, CaCredential.tokenFile(Path.of("/var/run/secrets/tokens/meshfed-token")), null);
 * }</pre>
 */
public final class CaClient {

  private final Vertx vertx;
  private final SocketAddress server;
  private final TrustBundle trust;
  private final Predicate<SpiffeId> serverIdentity;
  private final KeyAlgorithm algorithm;
  private final String clusterId;
  private final long timeoutMillis;

  private CaClient(Builder builder) {
    this.vertx = builder.vertx;
    this.server = builder.server;
    this.trust = builder.trust;
    this.serverIdentity = builder.serverIdentity;
    this.algorithm = builder.algorithm;
    this.clusterId = builder.clusterId;
    this.timeoutMillis = builder.timeout.toMillis();
  }

  public static Builder builder(Vertx vertx) {
    return new Builder(vertx);
  }

  /**
   * Requests an SVID for {@code identity}.
   *
   * @param ttl the lifetime to ask for; {@code null} for the CA's default (24 h)
   * @return the new SVID, or a failed future with a {@link CaClientException} carrying the CA's status and message
   */
  public Future<Svid> issue(SpiffeId identity, CaCredential credential, Duration ttl) {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(credential, "credential");
    return vertx.executeBlocking(() -> new Prepared(SvidRequest.create(identity, algorithm), token(credential)),
            false)
        .compose(prepared -> call(prepared, credential, ttl));
  }

  private record Prepared(SvidRequest request, String token) {
  }

  /** Blocking (file read): runs on a worker. */
  private static String token(CaCredential credential) throws java.io.IOException {
    if (credential instanceof CaCredential.Token token) {
      return token.token();
    }
    if (credential instanceof CaCredential.TokenFile file) {
      String token = Files.readString(file.file(), StandardCharsets.UTF_8).trim();
      if (token.isEmpty()) {
        throw new CaClientException(GrpcStatus.UNAUTHENTICATED, "token file " + file.file()
            + " is empty (expected: the projected service-account token with audience meshfed-ca)");
      }
      return token;
    }
    return null;
  }

  private Future<Svid> call(Prepared prepared, CaCredential credential, Duration ttl) {
    HttpClientOptions http = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setSsl(true)
        .setUseAlpn(true)
        .setVerifyHost(false)
        .setTrustOptions(TrustOptions.wrap(new ControlPlaneTrustManager(trust, serverIdentity)));
    if (credential instanceof CaCredential.CurrentSvid current) {
      Svid svid = current.svid();
      http.setKeyCertOptions(new PemKeyCertOptions().setKeyValue(Buffer.buffer(svid.privateKeyPem()))
          .setCertValue(Buffer.buffer(svid.chainPem())));
    }
    // One client per request: certificates are fetched twice a day, and each call may present another SVID.
    GrpcClient grpc = GrpcClient.client(vertx, http);
    Struct.Builder metadata = Struct.newBuilder();
    if (clusterId != null) {
      metadata.putFields(IstioCaProtocol.CLUSTER_ID_METADATA, Value.newBuilder().setStringValue(clusterId).build());
    }
    DynamicMessage message = IstioCaProtocol.request(prepared.request().csrPem(),
        ttl == null ? 0 : ttl.toSeconds(), metadata.build());
    return grpc.request(server, IstioCaProtocol.CLIENT_METHOD)
        .compose(request -> {
          request.timeout(timeoutMillis, TimeUnit.MILLISECONDS);
          if (prepared.token() != null) {
            request.headers().set("authorization", "Bearer " + prepared.token());
          }
          if (clusterId != null) {
            request.headers().set(IstioCaProtocol.CLUSTER_ID_METADATA, clusterId);
          }
          return request.send(message);
        })
        .compose(response -> response.last().recover(failure -> Future.failedFuture(
            failure instanceof InvalidStatusException ? new CaClientException(response.status(),
                response.statusMessage() == null ? "(no message)" : response.statusMessage()) : failure)))
        .recover(failure -> Future.failedFuture(failure instanceof CaClientException ? failure
            : new CaClientException(GrpcStatus.UNAVAILABLE, "cannot reach the CA at " + server + ": "
                + failure.getMessage(), failure)))
        .map(response -> complete(prepared.request(), IstioCaProtocol.certChain(response)))
        .eventually(grpc::close);
  }

  /** The SVID from the CA's answer: leaf and intermediates form the chain, roots join the trust bundle. */
  private Svid complete(SvidRequest request, List<String> pems) {
    if (pems.isEmpty()) {
      throw new CaClientException(GrpcStatus.INTERNAL, "the CA answered without a certificate");
    }
    List<X509Certificate> chain = new ArrayList<>();
    List<X509Certificate> roots = new ArrayList<>();
    for (int i = 0; i < pems.size(); i++) {
      for (X509Certificate certificate : Pem.certificates(pems.get(i), "cert_chain[" + i + "]")) {
        boolean selfSigned = certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())
            && certificate.getBasicConstraints() >= 0;
        (selfSigned ? roots : chain).add(certificate);
      }
    }
    TrustBundle bundle = trust.withAdditionalRoots(roots);
    try {
      return request.complete(new IssuedCertificate(chain, bundle));
    } catch (IllegalArgumentException e) {
      throw new CaClientException(GrpcStatus.INTERNAL, "the CA's answer is not an SVID for "
          + request.identity() + ": " + e.getMessage(), e);
    }
  }

  /** Configures a {@link CaClient}; each setter checks its argument. */
  public static final class Builder {
    private final Vertx vertx;
    private SocketAddress server;
    private TrustBundle trust;
    private Predicate<SpiffeId> serverIdentity = id -> id.serviceAccount().equals("meshfed-control-plane");
    private KeyAlgorithm algorithm = KeyAlgorithm.EC_P256;
    private String clusterId;
    private Duration timeout = Duration.ofSeconds(10);

    private Builder(Vertx vertx) {
      this.vertx = Objects.requireNonNull(vertx, "vertx");
    }

    /** The CA service: the control plane's :15012. */
    public Builder server(SocketAddress server) {
      this.server = Objects.requireNonNull(server, "server");
      return this;
    }

    /** The mesh root(s) the control plane's certificate chains to ({@code root-cert.pem}). */
    public Builder trust(TrustBundle trust) {
      this.trust = Objects.requireNonNull(trust, "trust");
      return this;
    }

    /** Which server identities to accept (default: service account {@code meshfed-control-plane}). */
    public Builder serverIdentity(Predicate<SpiffeId> accept) {
      this.serverIdentity = Objects.requireNonNull(accept, "accept");
      return this;
    }

    /** The key type of new SVIDs (default ECDSA P-256, as Istio). */
    public Builder keyAlgorithm(KeyAlgorithm algorithm) {
      this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
      return this;
    }

    /** The cluster the caller runs in, sent as Istio's {@code ClusterID} metadata. */
    public Builder clusterId(String clusterId) {
      if (clusterId == null || clusterId.isBlank()) {
        throw new IllegalArgumentException("clusterId: " + clusterId + " (expected: the cluster id)");
      }
      this.clusterId = clusterId;
      return this;
    }

    /** How long one request may take (default 10 s). */
    public Builder timeout(Duration timeout) {
      if (timeout == null || timeout.toMillis() < 1) {
        throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
      }
      this.timeout = timeout;
      return this;
    }

    public CaClient build() {
      if (server == null) {
        throw new IllegalStateException("server: not set (expected: the control plane's :15012 address)");
      }
      if (trust == null) {
        throw new IllegalStateException("trust: not set (expected: the mesh root, root-cert.pem)");
      }
      return new CaClient(this);
    }
  }
}
