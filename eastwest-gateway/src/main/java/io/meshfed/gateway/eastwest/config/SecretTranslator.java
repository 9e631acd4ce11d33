package io.meshfed.gateway.eastwest.config;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.meshfed.gateway.eastwest.ResourceType;
import io.meshfed.gateway.eastwest.tls.PemReader;
import io.meshfed.gateway.eastwest.tls.TlsCertificate;
import io.meshfed.gateway.eastwest.tls.TrustBundle;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SDS secrets: {@code default} (the gateway's SVID: {@code tls_certificate} with inline PEM) and {@code ROOTCA} (the
 * bundle: {@code validation_context.trusted_ca}, every root PEM-concatenated), or any other name of the same shapes.
 */
final class SecretTranslator {

  /** A translated secret: exactly one of the two is set. */
  record SecretValue(TlsCertificate certificate, TrustBundle bundle) {
  }

  private SecretTranslator() {
  }

  static Map<String, SecretValue> translate(List<Secret> secrets, Problems problems) {
    Map<String, SecretValue> byName = new HashMap<>();
    for (Secret secret : secrets) {
      Scope scope = problems.in(ResourceType.SECRET, secret.getName());
      if (secret.getName().isEmpty()) {
        scope.field("name").error("empty (expected: the SDS name, e.g. default or ROOTCA)");
        continue;
      }
      if (byName.containsKey(secret.getName())) {
        scope.error("listed twice (expected: unique names)");
        continue;
      }
      scope.allowOnly(secret, Set.of("name", "tls_certificate", "validation_context"));
      SecretValue value = null;
      if (secret.hasTlsCertificate()) {
        value = certificate(secret, scope.field("tls_certificate"));
      } else if (secret.hasValidationContext()) {
        value = bundle(secret, scope.field("validation_context"));
      } else if (!secret.hasGenericSecret() && !secret.hasSessionTicketKeys()) {
        scope.error("no tls_certificate or validation_context (expected: one of them)");
      }
      if (value != null) {
        byName.put(secret.getName(), value);
      }
    }
    return byName;
  }

  private static SecretValue certificate(Secret secret, Scope scope) {
    var tls = secret.getTlsCertificate();
    scope.allowOnly(tls, Set.of("certificate_chain", "private_key"));
    byte[] chainPem = inline(tls.getCertificateChain(), scope.field("certificate_chain"));
    byte[] keyPem = inline(tls.getPrivateKey(), scope.field("private_key"));
    if (chainPem == null || keyPem == null) {
      return null;
    }
    List<X509Certificate> chain;
    PrivateKey key;
    try {
      chain = PemReader.certificates(chainPem);
    } catch (IllegalArgumentException e) {
      scope.field("certificate_chain").error(e.getMessage());
      return null;
    }
    try {
      key = PemReader.privateKey(keyPem);
    } catch (IllegalArgumentException e) {
      scope.field("private_key").error(e.getMessage());
      return null;
    }
    if (!key.getAlgorithm().equals(chain.get(0).getPublicKey().getAlgorithm())) {
      scope.field("private_key").error(key.getAlgorithm() + " key for a " + chain.get(0).getPublicKey().getAlgorithm()
          + " certificate (expected: the leaf certificate's key)");
      return null;
    }
    return new SecretValue(new TlsCertificate(secret.getName(), key, chain), null);
  }

  private static SecretValue bundle(Secret secret, Scope scope) {
    var context = secret.getValidationContext();
    scope.allowOnly(context, Set.of("trusted_ca"));
    byte[] pem = inline(context.getTrustedCa(), scope.field("trusted_ca"));
    if (pem == null) {
      return null;
    }
    try {
      return new SecretValue(null, new TrustBundle(secret.getName(), PemReader.certificates(pem)));
    } catch (IllegalArgumentException e) {
      scope.field("trusted_ca").error(e.getMessage());
      return null;
    }
  }

  private static byte[] inline(DataSource source, Scope scope) {
    return switch (source.getSpecifierCase()) {
      case INLINE_BYTES -> source.getInlineBytes().toByteArray();
      case INLINE_STRING -> source.getInlineString().getBytes(StandardCharsets.US_ASCII);
      case SPECIFIER_NOT_SET -> {
        scope.error("empty (expected: inline_bytes or inline_string with PEM)");
        yield null;
      }
      default -> {
        scope.error(source.getSpecifierCase().name().toLowerCase() + " (expected: inline_bytes or inline_string;"
            + " the gateway reads no files or environment on config apply)");
        yield null;
      }
    };
  }
}
