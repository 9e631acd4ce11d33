package io.meshfed.trust.vault;

import io.github.jopenlibs.vault.json.JsonArray;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import io.github.jopenlibs.vault.response.LogicalResponse;
import io.meshfed.trust.Pem;
import io.meshfed.trust.SpiffeId;
import io.meshfed.trust.TrustDomain;
import io.meshfed.trust.ca.CaException;
import io.vertx.core.Future;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PKI secrets engine calls meshfed makes (Vault API docs, "PKI secrets engine (API)"), through
 * {@code logical()} because the driver's PKI helper lacks {@code uri_sans}, {@code csr} and issuer listing.
 */
final class VaultPki {

  /** A certificate Vault signed, with the {@code ca_chain} it returned (issuer first). */
  record Signed(X509Certificate certificate, List<X509Certificate> caChain) {
  }

  private final VaultClient client;
  private final String mount;

  VaultPki(VaultClient client) {
    this.client = client;
    this.mount = client.settings().pkiMount();
  }

  /**
   * {@code POST <mount>/root/sign-intermediate}: the root signs this cluster's intermediate CSR. Path length 0 (it
   * signs leaves only) and the trust domain as URI SAN, like the local CA's intermediates.
   */
  Future<Signed> signIntermediate(String csrPem, String commonName, TrustDomain trustDomain, Duration ttl) {
    String path = mount + "/root/sign-intermediate";
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("csr", csrPem);
    body.put("common_name", commonName);
    body.put("uri_sans", trustDomain.uri());
    body.put("exclude_cn_from_sans", true);
    body.put("ttl", ttl.toSeconds() + "s");
    body.put("max_path_length", 0);
    body.put("format", "pem");
    return client.call("POST " + path, vault -> signed(path,
        VaultClient.checked("POST " + path, vault.logical().write(path, body), false)));
  }

  /**
   * {@code POST <mount>/sign/<role>}: Vault signs a leaf for {@code identity}. The URI SAN is passed explicitly (and
   * the role's {@code use_csr_sans=false}), so Vault certifies exactly the identity meshfed checked.
   */
  Future<Signed> signLeaf(String role, String csrPem, SpiffeId identity, Duration ttl) {
    String path = mount + "/sign/" + role;
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("csr", csrPem);
    body.put("uri_sans", identity.toString());
    body.put("exclude_cn_from_sans", true);
    body.put("ttl", ttl.toSeconds() + "s");
    body.put("format", "pem");
    return client.call("POST " + path, vault -> signed(path,
        VaultClient.checked("POST " + path, vault.logical().write(path, body), false)));
  }

  /**
   * Every root in the mount: {@code LIST <mount>/issuers}, then {@code GET <mount>/issuer/<id>} for each; the
   * self-signed ones are roots. During a root rotation there are two.
   */
  Future<List<X509Certificate>> roots() {
    String listPath = mount + "/issuers";
    return client.call("LIST " + listPath, vault -> {
      LogicalResponse listed = VaultClient.checked("LIST " + listPath, vault.logical().list(listPath), true);
      List<X509Certificate> roots = new ArrayList<>();
      if (listed == null || listed.getRestResponse().getStatus() == 404) {
        return roots;
      }
      for (String id : listed.getListData()) {
        String path = mount + "/issuer/" + id;
        LogicalResponse issuer = VaultClient.checked("GET " + path, vault.logical().read(path), false);
        X509Certificate certificate = Pem.certificates(string(issuer.getDataObject(), "certificate", path),
            "vault " + path).get(0);
        if (certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
          roots.add(certificate);
        }
      }
      return roots;
    });
  }

  private static Signed signed(String path, LogicalResponse response) {
    JsonObject data = response.getDataObject();
    if (data == null) {
      throw new CaException(CaException.Reason.REJECTED_BY_BACKEND, "vault: " + path + ": response has no data");
    }
    X509Certificate certificate = Pem.certificates(string(data, "certificate", path), "vault " + path + " certificate")
        .get(0);
    List<X509Certificate> chain = new ArrayList<>();
    JsonValue caChain = data.get("ca_chain");
    if (caChain != null && caChain.isArray()) {
      JsonArray array = caChain.asArray();
      for (JsonValue value : array) {
        chain.addAll(Pem.certificates(value.asString(), "vault " + path + " ca_chain"));
      }
    } else if (data.get("issuing_ca") != null) {
      chain.addAll(Pem.certificates(string(data, "issuing_ca", path), "vault " + path + " issuing_ca"));
    }
    return new Signed(certificate, chain);
  }

  private static String string(JsonObject data, String field, String path) {
    JsonValue value = data == null ? null : data.get(field);
    if (value == null || !value.isString()) {
      throw new CaException(CaException.Reason.REJECTED_BY_BACKEND, "vault: " + path + ": response has no " + field);
    }
    return value.asString();
  }
}
