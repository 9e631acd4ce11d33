package io.meshfed.control.plane.ca;

import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Struct;
import io.meshfed.control.client.ca.IstioCaProtocol;
import io.meshfed.trust.Pem;
import io.meshfed.trust.ca.CaException;
import io.meshfed.trust.ca.CertificateAuthority;
import io.meshfed.trust.ca.IssuedCertificate;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.Service;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane's CA service: Istio's {@code istio.v1.auth.IstioCertificateService/CreateCertificate} served
 * on :15012 beside the ADS service. A call is authenticated ({@link CallerAuthentication}), its CSR signed by trust's
 * {@link CertificateAuthority} for exactly the proven identity (the CA refuses a CSR for another one), and answered
 * with the chain, leaf first, the root last. Refusals map to gRPC statuses with the reason as message:
 * {@code UNAUTHENTICATED} (no or a bad credential), {@code PERMISSION_DENIED} (CSR identity or trust domain not the
 * caller's), {@code INVALID_ARGUMENT} (malformed CSR, key, lifetime), {@code UNAVAILABLE} (backend down: retry),
 * {@code INTERNAL} (the CA's own backend refused it). Calls that did not come over TLS are refused.
 *
 * <p>Metric {@code meshfed_ca_requests_total{result, proof}}: result {@code ok} or the gRPC status.
 */
public final class CertificateService {

  private static final Logger LOG = LoggerFactory.getLogger(CertificateService.class);

  private final CertificateAuthority ca;
  private final CallerAuthentication authentication;
  private final MeterRegistry registry;

  public CertificateService(CertificateAuthority ca, CallerAuthentication authentication, MeterRegistry registry) {
    this.ca = Objects.requireNonNull(ca, "ca");
    this.authentication = Objects.requireNonNull(authentication, "authentication");
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** The gRPC service to add to a server ({@code GrpcServer.addService}). */
  public Service service() {
    return Service.service(ServiceName.create(IstioCaProtocol.SERVICE), IstioCaProtocol.serviceDescriptor())
        .bind(IstioCaProtocol.SERVER_METHOD, this::handle)
        .build();
  }

  private void handle(GrpcServerRequest<DynamicMessage, DynamicMessage> call) {
    if (!call.connection().isSsl()) {
      // Tokens and keys never cross a plaintext connection: the CA is on the TLS port only.
      call.handler(ignored -> { });
      fail(call, GrpcStatus.UNAUTHENTICATED, "the CA answers over TLS only (expected: port 15012)", "none");
      return;
    }
    List<X509Certificate> chain = peerChain(call);
    Optional<String> token = CallerAuthentication.bearer(call.headers().get("authorization"));
    call.last().onComplete(read -> {
      if (read.failed()) {
        LOG.debug("CA call ended before its request: {}", read.cause().toString());
        return;
      }
      DynamicMessage request = read.result();
      Struct metadata = IstioCaProtocol.metadata(request);
      Optional<String> clusterId = Optional.ofNullable(call.headers().get(IstioCaProtocol.CLUSTER_ID_METADATA))
          .or(() -> Optional.ofNullable(metadata.getFieldsMap().get(IstioCaProtocol.CLUSTER_ID_METADATA))
              .map(v -> v.getStringValue()).filter(s -> !s.isEmpty()));
      CallContext context = new CallContext(token, chain, clusterId);
      authentication.authenticate(context).onComplete(authenticated -> {
        if (authenticated.failed()) {
          Throwable cause = authenticated.cause();
          String message = cause instanceof CallerRejectedException ? cause.getMessage()
              : "cannot authenticate the caller: " + cause.getMessage();
          fail(call, GrpcStatus.UNAUTHENTICATED, message, proofOf(context));
          return;
        }
        Caller caller = authenticated.result();
        sign(call, request, caller);
      });
    });
  }

  private void sign(GrpcServerRequest<DynamicMessage, DynamicMessage> call, DynamicMessage request, Caller caller) {
    String csr = IstioCaProtocol.csr(request);
    if (csr.isBlank()) {
      fail(call, GrpcStatus.INVALID_ARGUMENT, "csr: empty (expected: a PEM PKCS#10 request)", caller.proof());
      return;
    }
    long seconds = IstioCaProtocol.validitySeconds(request);
    if (seconds < 0) {
      fail(call, GrpcStatus.INVALID_ARGUMENT, "validity_duration: " + seconds + " (expected: seconds > 0, or 0 "
          + "for the default)", caller.proof());
      return;
    }
    Duration ttl = seconds == 0 ? null : Duration.ofSeconds(seconds);
    Future<IssuedCertificate> signed;
    try {
      signed = ca.sign(csr, caller.identity(), ttl);
    } catch (RuntimeException e) {
      signed = Future.failedFuture(e);
    }
    signed.onComplete(result -> {
      if (result.failed()) {
        Throwable cause = result.cause();
        if (cause instanceof CaException refused) {
          fail(call, status(refused.reason()), caller.identity() + " (" + caller.proof() + "): "
              + refused.getMessage(), caller.proof());
        } else {
          LOG.error("CA: signing for {} failed", caller.identity(), cause);
          fail(call, GrpcStatus.INTERNAL, "signing failed: " + cause, caller.proof());
        }
        return;
      }
      IssuedCertificate issued = result.result();
      List<String> pems = new ArrayList<>();
      for (X509Certificate certificate : issued.chain()) {
        pems.add(Pem.encodeCertificates(List.of(certificate)));
      }
      rootOf(issued).ifPresent(root -> pems.add(Pem.encodeCertificates(List.of(root))));
      count("ok", caller.proof());
      LOG.info("CA: issued {} for {} ({}, serial {}, until {})", ttl == null ? "a certificate" : ttl,
          caller.identity(), caller.proof(), issued.leaf().getSerialNumber().toString(16),
          issued.leaf().getNotAfter().toInstant());
      call.response().send(IstioCaProtocol.response(pems));
    });
  }

  /** The bundle root the issued chain leads to: it ends the answer, as Istio's CA answers. */
  private static Optional<X509Certificate> rootOf(IssuedCertificate issued) {
    X509Certificate top = issued.chain().get(issued.chain().size() - 1);
    for (X509Certificate root : issued.bundle().roots()) {
      if (!root.getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
        continue;
      }
      try {
        top.verify(root.getPublicKey());
        return Optional.of(root);
      } catch (java.security.GeneralSecurityException notThisOne) {
        // another root with the same name (rotation): keep looking
      }
    }
    return Optional.empty();
  }

  static GrpcStatus status(CaException.Reason reason) {
    return switch (reason) {
      case MALFORMED_CSR, UNSUPPORTED_KEY, INVALID_TTL -> GrpcStatus.INVALID_ARGUMENT;
      case IDENTITY_MISMATCH, WRONG_TRUST_DOMAIN -> GrpcStatus.PERMISSION_DENIED;
      case UNAVAILABLE, CLOSED -> GrpcStatus.UNAVAILABLE;
      case PERMISSION_DENIED, REJECTED_BY_BACKEND, MISCONFIGURED -> GrpcStatus.INTERNAL;
    };
  }

  private static List<X509Certificate> peerChain(GrpcServerRequest<?, ?> call) {
    List<X509Certificate> chain = new ArrayList<>();
    try {
      for (Certificate certificate : call.connection().peerCertificates()) {
        if (certificate instanceof X509Certificate x509) {
          chain.add(x509);
        }
      }
    } catch (SSLPeerUnverifiedException | RuntimeException none) {
      return List.of();
    }
    return chain;
  }

  private static String proofOf(CallContext context) {
    return !context.peerChain().isEmpty() ? "mtls" : context.bearerToken().isPresent() ? "token" : "none";
  }

  private void fail(GrpcServerRequest<DynamicMessage, DynamicMessage> call, GrpcStatus status, String message,
      String proof) {
    count(status.name(), proof);
    LOG.warn("CA: refused ({}): {}", status, message);
    call.response().status(status).statusMessage(message).end();
  }

  private void count(String result, String proof) {
    Counter.builder("meshfed_ca_requests_total").description("CreateCertificate calls to the CA service")
        .tag("result", result).tag("proof", proof).register(registry).increment();
  }
}
