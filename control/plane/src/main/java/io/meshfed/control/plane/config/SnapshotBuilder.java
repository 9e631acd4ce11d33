package io.meshfed.control.plane.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.meshfed.control.plane.istio.ConfigResource;
import io.fabric8.kubernetes.api.model.Service;
import io.meshfed.control.plane.istio.CrossResourceChecks;
import io.meshfed.control.plane.istio.DestinationRule;
import io.meshfed.control.plane.istio.DestinationRuleIndex;
import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.Origin;
import io.meshfed.control.plane.istio.ParsedResource;
import io.meshfed.control.plane.istio.ResourceKey;
import io.meshfed.control.plane.istio.ResourceParser;
import io.meshfed.control.plane.istio.ServiceEntry;
import io.meshfed.control.plane.istio.VirtualService;
import io.meshfed.control.plane.istio.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns what the sources hold into a {@link ConfigSnapshot}: parses each object (once per version: results are
 * cached by {@link RawResource} identity), rejects duplicates, keeps the last good version of an object whose new
 * version is invalid, and runs the cross-object checks. Not thread-safe: the {@link ConfigStore} calls it from its
 * one thread; {@code meshfed analyze} from the command's thread.
 */
public final class SnapshotBuilder {

  private final ResourceParser parser;
  private Map<RawResource, List<ParsedResource>> cache = new IdentityHashMap<>();

  public SnapshotBuilder(ResourceParser parser) {
    this.parser = parser;
  }

  /** The snapshot after {@code previous} for the sources' current contents. */
  public ConfigSnapshot build(List<SourceContents> sources, ConfigSnapshot previous) {
    Map<RawResource, List<ParsedResource>> nextCache = new IdentityHashMap<>();
    Map<ResourceKey, ConfigResource> config = new LinkedHashMap<>();
    Map<ResourceKey, HasMetadata> kubernetes = new LinkedHashMap<>();
    Map<ResourceKey, Origin> kubernetesOrigins = new HashMap<>();
    Map<ResourceKey, Origin> seen = new HashMap<>();
    List<Message> messages = new ArrayList<>();
    for (SourceContents source : sources) {
      messages.addAll(source.messages());
      for (RawResource raw : source.resources()) {
        List<ParsedResource> results = cache.get(raw);
        if (results == null) {
          results = parse(raw);
        }
        nextCache.put(raw, results);
        for (ParsedResource result : results) {
          if (result.key().isEmpty()) {
            messages.addAll(result.messages());
            continue;
          }
          ResourceKey key = result.key().get();
          Origin first = seen.putIfAbsent(key, result.origin());
          if (first != null) {
            messages.add(Message.of(MessageType.DUPLICATE_OBJECT, key, result.origin(), "",
                "defined again; the definition at " + first + " is used",
                "keep one definition of " + key));
            continue;
          }
          accept(result, previous, config, kubernetes, kubernetesOrigins, messages);
        }
      }
    }
    cache = nextCache;
    List<VirtualService> virtualServices = ofType(config.values(), VirtualService.class);
    List<DestinationRule> destinationRules = ofType(config.values(), DestinationRule.class);
    CrossResourceChecks.VirtualServiceConflicts conflicts = CrossResourceChecks.virtualServices(virtualServices);
    messages.addAll(conflicts.messages());
    messages.addAll(new DestinationRuleIndex(destinationRules, parser.mesh()).mergeConflicts());
    messages.addAll(CrossResourceChecks.subsetsSelectingNoPods(destinationRules,
        ofType(kubernetes.values(), Service.class), ofType(config.values(), ServiceEntry.class),
        Workload.of(List.copyOf(kubernetes.values())), parser.mesh()));
    return new ConfigSnapshot(previous.version() + 1, parser.mesh(), config, kubernetes, kubernetesOrigins, messages,
        conflicts.shadowed());
  }

  private static <T> List<T> ofType(java.util.Collection<?> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private List<ParsedResource> parse(RawResource raw) {
    if (raw.object().isPresent()) {
      return List.of(parser.parse(raw.object().get(), raw.origin()));
    }
    return parser.parse(raw.document().orElseThrow(), raw.origin());
  }

  private static void accept(ParsedResource result, ConfigSnapshot previous, Map<ResourceKey, ConfigResource> config,
      Map<ResourceKey, HasMetadata> kubernetes, Map<ResourceKey, Origin> kubernetesOrigins, List<Message> messages) {
    ResourceKey key = result.key().orElseThrow();
    result.config().ifPresent(resource -> config.put(key, resource));
    result.kubernetes().ifPresent(object -> {
      kubernetes.put(key, object);
      kubernetesOrigins.put(key, result.origin());
    });
    if (result.valid() || !result.read()) {
      messages.addAll(result.messages());
      return;
    }
    // Rejected: an object that was valid before keeps serving its last good version, and says so.
    Optional<ConfigResource> lastGood = previous.config(key);
    Optional<HasMetadata> lastGoodKubernetes = previous.kubernetes(key);
    if (lastGood.isPresent() || lastGoodKubernetes.isPresent()) {
      lastGood.ifPresent(resource -> config.put(key, resource));
      lastGoodKubernetes.ifPresent(object -> {
        kubernetes.put(key, object);
        kubernetesOrigins.put(key, previous.origin(key));
      });
      String note = "rejected; the last good version keeps serving"
          + lastGood.map(r -> r.meta().resourceVersion().isEmpty() ? ""
              : " (resourceVersion " + r.meta().resourceVersion() + ")").orElse("");
      result.messages().forEach(m -> messages.add(m.severity() == io.meshfed.control.plane.istio.Severity.ERROR
          ? m.withNote(note) : m));
    } else {
      messages.addAll(result.messages());
    }
  }
}
