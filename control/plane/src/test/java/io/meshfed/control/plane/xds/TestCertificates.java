package io.meshfed.control.plane.xds;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA issuing a server certificate and SPIFFE client certificates, generated in the test. */
final class TestCertificates {
    private final KeyPair caKeys = ecKeys();
    private final X509Certificate ca;
    private long serial = 1;

    TestCertificates() {
        ca = issue("CN=meshfed test root", caKeys, caKeys, null, true, null);
    }

    PemTrustOptions trust() {
        return new PemTrustOptions().addCertValue(Buffer.buffer(pem(ca)));
    }

    /** A server certificate for 127.0.0.1. */
    PemKeyCertOptions server() {
        KeyPair keys = ecKeys();
        X509Certificate cert = issue("CN=meshfed-control-plane", keys, caKeys, ca, false,
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        return keyCert(keys, cert);
    }

    /** A client certificate whose URI SAN is the SPIFFE id. */
    PemKeyCertOptions client(String spiffeId) {
        KeyPair keys = ecKeys();
        X509Certificate cert = issue("O=meshfed", keys, caKeys, ca, false,
                new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId));
        return keyCert(keys, cert);
    }

    private static PemKeyCertOptions keyCert(KeyPair keys, X509Certificate cert) {
        String key = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        return new PemKeyCertOptions().addKeyValue(Buffer.buffer(key)).addCertValue(Buffer.buffer(pem(cert)));
    }

    private X509Certificate issue(String subject, KeyPair subjectKeys, KeyPair issuerKeys, X509Certificate issuer,
            boolean isCa, GeneralName san) {
        try {
            Instant now = Instant.now();
            X500Name issuerName = new X500Name(issuer == null ? subject : issuer.getSubjectX500Principal().getName());
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, BigInteger.valueOf(serial++),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofHours(1))),
                    new X500Name(subject), subjectKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(isCa ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            if (san != null) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object o) {
        try {
            StringWriter out = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(out)) {
                w.writeObject(o);
            }
            return out.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(256);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
