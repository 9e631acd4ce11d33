package io.meshfed.trust.ca;

import io.meshfed.trust.InvalidSpiffeIdException;
import io.meshfed.trust.Pem;
import io.meshfed.trust.SpiffeId;
import java.io.IOException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A parsed, self-signature-verified PKCS#10 CSR (RFC 2986) for an SVID: one URI SAN holding a SPIFFE ID and an
 * ECDSA P-256/P-384 or RSA 2048-4096 key. {@link #parse} fails with {@link CaException.Reason#MALFORMED_CSR} or
 * {@link CaException.Reason#UNSUPPORTED_KEY}; {@link #requireIdentity} with
 * {@link CaException.Reason#IDENTITY_MISMATCH}.
 */
public final class CertificateRequest {

  private final String pem;
  private final PublicKey publicKey;
  private final SpiffeId requestedIdentity;

  private CertificateRequest(String pem, PublicKey publicKey, SpiffeId requestedIdentity) {
    this.pem = pem;
    this.publicKey = publicKey;
    this.requestedIdentity = requestedIdentity;
  }

  /** Parses and checks a PEM CSR. */
  public static CertificateRequest parse(String pem) {
    List<Pem.Block> blocks;
    try {
      blocks = Pem.blocks(pem, "csr");
    } catch (IllegalArgumentException e) {
      throw new CaException(CaException.Reason.MALFORMED_CSR, e.getMessage(), e);
    }
    if (blocks.size() != 1 || !blocks.get(0).label().equals("CERTIFICATE REQUEST")) {
      throw new CaException(CaException.Reason.MALFORMED_CSR, "csr: " + blocks.size() + " PEM block(s) labelled "
          + blocks.stream().map(Pem.Block::label).toList() + " (expected: one CERTIFICATE REQUEST block)");
    }
    JcaPKCS10CertificationRequest request;
    PublicKey key;
    try {
      request = new JcaPKCS10CertificationRequest(blocks.get(0).der()).setProvider(Crypto.PROVIDER);
      key = request.getPublicKey();
    } catch (IOException | RuntimeException | java.security.GeneralSecurityException e) {
      throw new CaException(CaException.Reason.MALFORMED_CSR,
          "csr: not a PKCS#10 certification request: " + e.getMessage(), e);
    }
    checkKey(key);
    try {
      // Proof of possession: the CSR is signed by the key it asks a certificate for (RFC 2986 section 3).
      if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(Crypto.PROVIDER)
          .build(request.getSubjectPublicKeyInfo()))) {
        throw new CaException(CaException.Reason.MALFORMED_CSR,
            "csr: its signature does not verify with its own public key (expected: signed by the requested key)");
      }
    } catch (OperatorCreationException | PKCSException e) {
      throw new CaException(CaException.Reason.MALFORMED_CSR, "csr: signature cannot be checked: " + e.getMessage(),
          e);
    }
    return new CertificateRequest(pem, key, identity(request));
  }

  /** The SPIFFE ID the CSR asks for. */
  public SpiffeId requestedIdentity() {
    return requestedIdentity;
  }

  /** The key to certify. */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** The CSR as it arrived. */
  public String pem() {
    return pem;
  }

  /**
   * Fails unless the CSR asks for exactly {@code caller}: a workload may only get a certificate for the identity it
   * proved (Istio's CA checks the same against the caller's token).
   */
  public CertificateRequest requireIdentity(SpiffeId caller) {
    if (!requestedIdentity.equals(caller)) {
      throw new CaException(CaException.Reason.IDENTITY_MISMATCH, "csr: asks for " + requestedIdentity
          + " but the caller proved " + caller + " (expected: a CSR whose URI SAN is the caller's own SPIFFE ID)");
    }
    return this;
  }

  private static void checkKey(PublicKey key) {
    if (key instanceof ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      if (bits != 256 && bits != 384) {
        throw new CaException(CaException.Reason.UNSUPPORTED_KEY,
            "csr: ECDSA key on a " + bits + "-bit curve (expected: P-256, or P-384)");
      }
    } else if (key instanceof RSAPublicKey rsa) {
      int bits = rsa.getModulus().bitLength();
      if (bits < 2048 || bits > 4096) {
        throw new CaException(CaException.Reason.UNSUPPORTED_KEY,
            "csr: RSA key of " + bits + " bits (expected: 2048 to 4096 bits)");
      }
    } else {
      throw new CaException(CaException.Reason.UNSUPPORTED_KEY,
          "csr: " + key.getAlgorithm() + " key (expected: ECDSA P-256 or RSA-2048)");
    }
  }

  private static SpiffeId identity(JcaPKCS10CertificationRequest request) {
    List<String> uris = new ArrayList<>();
    for (var attribute : request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      Extensions extensions = Extensions.getInstance(attribute.getAttrValues().getObjectAt(0));
      GeneralNames names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
      if (names == null) {
        continue;
      }
      for (GeneralName name : names.getNames()) {
        if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
          uris.add(name.getName().toString());
        }
      }
    }
    if (uris.size() != 1) {
      throw new CaException(CaException.Reason.MALFORMED_CSR, "csr: " + uris.size() + " URI SAN(s) " + uris
          + " (expected: exactly one, the SPIFFE ID spiffe://<trust-domain>/ns/<ns>/sa/<sa>)");
    }
    try {
      return SpiffeId.parse(uris.get(0));
    } catch (InvalidSpiffeIdException e) {
      throw new CaException(CaException.Reason.MALFORMED_CSR, "csr: URI SAN: " + e.getMessage(), e);
    }
  }
}
