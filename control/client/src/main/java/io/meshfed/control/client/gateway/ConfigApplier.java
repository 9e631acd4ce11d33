package io.meshfed.control.client.gateway;

import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.meshfed.control.client.runtime.AcceptedConfig;
import io.meshfed.control.client.runtime.Readiness;
import io.meshfed.control.client.runtime.RejectedUpdate;
import io.meshfed.control.client.xds.ResourceUpdate;
import io.meshfed.control.client.xds.Verdict;
import io.meshfed.control.client.xds.XdsResource;
import io.meshfed.control.client.xds.XdsResourceType;
import io.meshfed.trust.Svid;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Between the ADS client and the data plane: keeps the state the data plane serves, offers each update on top of it
 * (plus the locally resolved SDS secrets), turns the outcome into an ACK or NACK, and publishes what was accepted
 * for the admin API. Owned by one context; the ADS client offers one update at a time, and re-applies after an SVID
 * rotation are chained behind whatever is in progress.
 *
 * <p>SDS {@code default} is the gateway's own SVID and never comes from the control plane (docs/xds-profile.md,
 * "Secrets"): it is added here, key included, for the data plane. {@code /config_dump} shows it as Envoy's and
 * {@code istioctl proxy-config secret} do, certificate chain only: the key is never published (not even redacted),
 * so no admin reader can reach it. {@code ROOTCA} is the bootstrap root until the control plane sends its own.
 */
final class ConfigApplier {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigApplier.class);
  static final String DEFAULT_SECRET = "default";
  static final String ROOT_SECRET = "ROOTCA";

  private final Context context;
  private final DataPlane dataPlane;
  private final Readiness readiness;
  private final Supplier<Optional<Svid>> svid;
  private final GatewaySettings settings;
  private final Optional<String> bootstrapRootPem;
  private final Map<XdsResourceType, List<io.meshfed.control.client.runtime.XdsResource>> shown =
      new EnumMap<>(XdsResourceType.class);
  private final Map<XdsResourceType, List<RejectedUpdate>> rejected = new EnumMap<>(XdsResourceType.class);
  private ResourceSet serving = ResourceSet.EMPTY;
  private Future<?> inProgress = Future.succeededFuture();
  private final Instant started = Instant.now();
  private volatile AcceptedConfig published = AcceptedConfig.EMPTY;

  ConfigApplier(Context context, GatewaySettings settings, DataPlane dataPlane, Readiness readiness,
      Supplier<Optional<Svid>> svid, Optional<String> bootstrapRootPem) {
    this.settings = settings;
    this.context = context;
    this.dataPlane = dataPlane;
    this.readiness = readiness;
    this.svid = svid;
    this.bootstrapRootPem = bootstrapRootPem;
    // The gateway's own certificate is worth showing before the first xDS response arrives.
    publish();
  }

  /** What {@code /config_dump} shows: cheap, any thread. */
  AcceptedConfig accepted() {
    return published;
  }

  /** The ADS client's consumer for every type. */
  Future<Verdict> offer(ResourceUpdate update) {
    return serialized(() -> {
      Map<String, Message> byName = new LinkedHashMap<>();
      update.resources().forEach((name, resource) -> byName.put(name, resource.resource()));
      ResourceSet candidate = serving.with(update.version(), update.type(), byName);
      Map<String, XdsResource> received = Map.copyOf(update.resources());
      return apply(candidate).map(outcome -> settle(update.type(), update.version(), candidate, received, outcome));
    });
  }

  /** Applies the serving set again: the SVID rotated, so SDS {@code default} changed. */
  Future<Void> reapply() {
    return serialized(() -> apply(serving).map(outcome -> {
      if (outcome.isAccepted()) {
        publish();
      } else {
        LOG.warn("re-applying the configuration with the rotated certificate failed: {}", outcome.error());
      }
      return null;
    }));
  }

  private Verdict settle(XdsResourceType type, String version, ResourceSet candidate,
      Map<String, XdsResource> received, ApplyOutcome outcome) {
    Instant now = Instant.now();
    if (outcome.isAccepted()) {
      serving = candidate;
      List<io.meshfed.control.client.runtime.XdsResource> resources = new ArrayList<>();
      received.forEach((name, resource) -> resources.add(new io.meshfed.control.client.runtime.XdsResource(
          type.typeUrl(), name, resource.version(), resource.resource(), now)));
      shown.put(type, resources);
      rejected.remove(type);
      publish();
      if (shown.containsKey(XdsResourceType.CLUSTER) && shown.containsKey(XdsResourceType.LISTENER)) {
        // Envoy's initialisation: ready once the first CDS and LDS responses are in (and their warming done).
        readiness.configAccepted(version);
      }
      return Verdict.accept();
    }
    if (!outcome.refused().isEmpty()) {
      // The data plane kept the previous version of the refused resources and took the rest: hold the same.
      serving = restore(candidate, outcome.refused());
    }
    LOG.warn("NACK {} version {}: {}", type.shortName(), version, outcome.error());
    rejected.computeIfAbsent(type, t -> new ArrayList<>())
        .add(new RejectedUpdate(type.typeUrl(), "", version, outcome.error(), now));
    publish();
    return Verdict.reject(outcome.error());
  }

  private ResourceSet restore(ResourceSet candidate, Map<XdsResourceType, Set<String>> refused) {
    ResourceSet result = candidate;
    for (Map.Entry<XdsResourceType, Set<String>> entry : refused.entrySet()) {
      Map<String, Message> byName = new LinkedHashMap<>(candidate.of(entry.getKey()));
      for (String name : entry.getValue()) {
        Message previous = serving.of(entry.getKey()).get(name);
        if (previous == null) {
          byName.remove(name);
        } else {
          byName.put(name, previous);
        }
      }
      result = result.with(candidate.version(), entry.getKey(), byName);
    }
    return result;
  }

  private void publish() {
    List<io.meshfed.control.client.runtime.XdsResource> all = new ArrayList<>();
    List<RejectedUpdate> nacks = new ArrayList<>();
    for (XdsResourceType type : XdsResourceType.pushOrder()) {
      List<io.meshfed.control.client.runtime.XdsResource> ofType = shown.getOrDefault(type, List.of());
      if (type == XdsResourceType.SECRET) {
        // The gateway serves its own SVID as default whatever the control plane sent under that name.
        ofType.stream().filter(secret -> !secret.name().equals(DEFAULT_SECRET)).forEach(all::add);
        all.addAll(localSecretsShown(ofType));
      } else {
        all.addAll(ofType);
      }
      nacks.addAll(rejected.getOrDefault(type, List.of()));
    }
    published = new AcceptedConfig(all, nacks);
  }

  /**
   * The locally resolved secrets as {@code /config_dump} shows them: {@code default} (the SVID's chain, no key; the
   * one served, whatever the control plane sent under that name), versioned by the certificate's serial as Istio's
   * SDS versions it by issue, and the bootstrap {@code ROOTCA} while the control plane has sent none.
   */
  private List<io.meshfed.control.client.runtime.XdsResource> localSecretsShown(
      List<io.meshfed.control.client.runtime.XdsResource> fromControlPlane) {
    List<io.meshfed.control.client.runtime.XdsResource> local = new ArrayList<>(2);
    Optional<Svid> current;
    try {
      current = svid.get();
    } catch (IllegalStateException expired) {
      // Expired and not renewed: apply() serves no default then, so none is shown.
      current = Optional.empty();
    }
    current.ifPresent(own -> local.add(new io.meshfed.control.client.runtime.XdsResource(
        XdsResourceType.SECRET.typeUrl(), DEFAULT_SECRET, own.serial(), Secret.newBuilder().setName(DEFAULT_SECRET)
            .setTlsCertificate(TlsCertificate.newBuilder()
                .setCertificateChain(DataSource.newBuilder().setInlineString(own.chainPem())))
            .build(), own.notBefore())));
    boolean rootFromControlPlane = fromControlPlane.stream().anyMatch(shownSecret ->
        shownSecret.name().equals(ROOT_SECRET));
    if (!rootFromControlPlane && bootstrapRootPem.isPresent()) {
      local.add(new io.meshfed.control.client.runtime.XdsResource(XdsResourceType.SECRET.typeUrl(), ROOT_SECRET,
          "bootstrap", Secret.newBuilder().setName(ROOT_SECRET)
              .setValidationContext(CertificateValidationContext.newBuilder()
                  .setTrustedCa(DataSource.newBuilder().setInlineString(bootstrapRootPem.get())))
              .build(), started));
    }
    return local;
  }

  private Future<ApplyOutcome> apply(ResourceSet set) {
    ResourceSet withLocal;
    try {
      withLocal = withLocalBinds(withLocalSecrets(set));
    } catch (IllegalStateException noCertificate) {
      // The SVID expired and could not be renewed: serve nothing new until it is back.
      return Future.succeededFuture(ApplyOutcome.rejected("secret default: " + noCertificate.getMessage()));
    }
    return dataPlane.apply(withLocal)
        .recover(failure -> Future.succeededFuture(ApplyOutcome.rejected(String.valueOf(failure.getMessage()))));
  }

  /**
   * Listeners bind where the settings say ({@code listeners}, {@code listenerHost}) instead of their xDS address:
   * local runs and tests put several gateways on one machine (distinct loopback addresses, port 0).
   */
  private ResourceSet withLocalBinds(ResourceSet set) {
    if (settings.listeners().isEmpty() && settings.listenerHost().isEmpty()) {
      return set;
    }
    Map<String, Message> listeners = new LinkedHashMap<>();
    set.of(XdsResourceType.LISTENER).forEach((name, message) -> {
      Listener listener = (Listener) message;
      SocketAddress xds = listener.getAddress().getSocketAddress();
      listeners.put(name, settings.bindOverride(name, xds.getPortValue())
          .map(bind -> listener.toBuilder().setAddress(Address.newBuilder().setSocketAddress(xds.toBuilder()
              .setAddress(bind.getHostString()).setPortValue(bind.getPort()))).build())
          .orElse(listener));
    });
    return set.with(set.version(), XdsResourceType.LISTENER, listeners);
  }

  private ResourceSet withLocalSecrets(ResourceSet set) {
    Map<String, Message> secrets = new LinkedHashMap<>(set.of(XdsResourceType.SECRET));
    Optional<Svid> current = svid.get();
    if (current.isPresent()) {
      Svid own = current.get();
      secrets.put(DEFAULT_SECRET, Secret.newBuilder().setName(DEFAULT_SECRET)
          .setTlsCertificate(TlsCertificate.newBuilder()
              .setCertificateChain(DataSource.newBuilder().setInlineString(own.chainPem()))
              .setPrivateKey(DataSource.newBuilder().setInlineString(own.privateKeyPem())))
          .build());
    }
    if (!secrets.containsKey(ROOT_SECRET) && bootstrapRootPem.isPresent()) {
      secrets.put(ROOT_SECRET, Secret.newBuilder().setName(ROOT_SECRET)
          .setValidationContext(CertificateValidationContext.newBuilder()
              .setTrustedCa(DataSource.newBuilder().setInlineString(bootstrapRootPem.get())))
          .build());
    }
    return set.with(set.version(), XdsResourceType.SECRET, secrets);
  }

  private <T> Future<T> serialized(Supplier<Future<T>> work) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(ignored -> {
      Future<T> next = inProgress.transform(previous -> work.get());
      inProgress = next;
      next.onComplete(promise);
    });
    return promise.future();
  }
}
