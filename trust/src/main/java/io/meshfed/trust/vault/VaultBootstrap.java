package io.meshfed.trust.vault;

import io.github.jopenlibs.vault.api.sys.mounts.MountPayload;
import io.github.jopenlibs.vault.api.sys.mounts.MountType;
import io.github.jopenlibs.vault.api.sys.mounts.TimeToLive;
import io.github.jopenlibs.vault.response.LogicalResponse;
import io.meshfed.trust.TrustDomain;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Prepares Vault for meshfed, creating only what is absent: the PKI mount ({@code sys/mounts}), a root in it
 * ({@code root/generate/internal}, key never leaves Vault) and the leaf-signing role ({@code roles/<role>} with
 * {@code allowed_uri_sans=spiffe://*} and {@code no_store=true}). Running it again changes nothing, and it never
 * overwrites a role or root an operator made.
 */
public final class VaultBootstrap {

  /** The lifetime ceiling of the PKI mount: the root's lifetime must fit under it. */
  private static final int MOUNT_MAX_TTL_HOURS = 87600;

  private final VaultClient client;
  private final TrustDomain trustDomain;

  VaultBootstrap(VaultClient client, TrustDomain trustDomain) {
    this.client = client;
    this.trustDomain = trustDomain;
  }

  /**
   * Logs in with {@code settings}, creates what is missing and returns what it did, one line per action (empty when
   * everything existed).
   */
  public static Future<List<String>> run(Vertx vertx, VaultSettings settings, TrustDomain trustDomain,
      MeterRegistry registry) {
    VaultClient client = new VaultClient(vertx, settings, registry);
    return client.start()
        .compose(v -> new VaultBootstrap(client, trustDomain).ensure())
        .andThen(result -> client.close());
  }

  /** Creates the mount, root and role if absent; returns the actions taken. */
  Future<List<String>> ensure() {
    List<String> actions = new ArrayList<>();
    VaultSettings settings = client.settings();
    String mount = settings.pkiMount();
    return client.call("GET sys/mounts", vault -> {
      if (!vault.mounts().list().getMounts().containsKey(mount + "/")) {
        vault.mounts().enable(mount, MountType.PKI, new MountPayload()
            .description("meshfed trust domain " + trustDomain)
            .maxLeaseTtl(TimeToLive.of(MOUNT_MAX_TTL_HOURS, TimeUnit.HOURS)));
        actions.add("enabled the PKI secrets engine at " + mount + "/");
      }
      return null;
    }).compose(v -> client.call("LIST " + mount + "/issuers", vault -> {
      LogicalResponse issuers = VaultClient.checked("LIST " + mount + "/issuers",
          vault.logical().list(mount + "/issuers"), true);
      if (issuers == null || issuers.getListData().isEmpty()) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("common_name", settings.rootCommonName());
        body.put("uri_sans", trustDomain.uri());
        body.put("exclude_cn_from_sans", true);
        body.put("key_type", "ec");
        body.put("key_bits", 256);
        body.put("ttl", settings.rootTtl().toHours() + "h");
        body.put("issuer_name", "meshfed-root");
        VaultClient.checked("POST " + mount + "/root/generate/internal",
            vault.logical().write(mount + "/root/generate/internal", body), false);
        actions.add("generated root \"" + settings.rootCommonName() + "\" (key kept in Vault) in " + mount + "/");
      }
      return null;
    })).compose(v -> client.call("GET " + mount + "/roles/" + settings.role(), vault -> {
      String path = mount + "/roles/" + settings.role();
      LogicalResponse role = VaultClient.checked("GET " + path, vault.logical().read(path), true);
      if (role.getRestResponse().getStatus() == 404) {
        VaultClient.checked("POST " + path, vault.logical().write(path, roleDefinition()), false);
        actions.add("created role " + settings.role() + " (allowed_uri_sans=spiffe://*, no_store=true)");
      }
      return null;
    })).map(v -> actions);
  }

  /**
   * The leaf role (PKI API, "Create/Update role"): SPIFFE URI SANs only, SANs taken from the request (meshfed passes
   * the identity it checked), no CN, client and server EKUs, and no storage of issued leaves.
   */
  static Map<String, Object> roleDefinition() {
    Map<String, Object> role = new LinkedHashMap<>();
    role.put("allowed_uri_sans", "spiffe://*");
    role.put("allow_any_name", false);
    role.put("require_cn", false);
    role.put("use_csr_common_name", false);
    role.put("use_csr_sans", false);
    role.put("enforce_hostnames", false);
    role.put("allow_ip_sans", false);
    role.put("allow_localhost", false);
    role.put("server_flag", true);
    role.put("client_flag", true);
    role.put("key_type", "any");
    role.put("key_usage", "DigitalSignature,KeyEncipherment");
    role.put("ttl", "24h");
    role.put("max_ttl", "168h");
    role.put("no_store", true);
    role.put("generate_lease", false);
    role.put("not_before_duration", "30s");
    return role;
  }
}
