package io.meshfed.control.plane.config;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.meshfed.control.plane.istio.ConfigResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
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

  // Beyond this many changed documents, the full build is about as cheap as checking each one for the fast path.
  private static final int MAX_FAST_CHANGES = 256;

  private final ResourceParser parser;
  private Map<RawResource, List<ParsedResource>> cache = new IdentityHashMap<>();
  // What the last build saw, for the EndpointSlice fast path (endpointSlicesOnly).
  private ConfigSnapshot lastBuilt;
  private List<List<RawResource>> lastInputs = List.of();
  private List<List<Message>> lastSourceMessages = List.of();
  private boolean lastHadDuplicates;

  public SnapshotBuilder(ResourceParser parser) {
    this.parser = parser;
  }

  /** The snapshot after {@code previous} for the sources' current contents. */
  public ConfigSnapshot build(List<SourceContents> sources, ConfigSnapshot previous) {
    ConfigSnapshot next = previous == lastBuilt ? endpointSlicesOnly(sources, previous) : null;
    if (next == null) {
      next = rebuild(sources, previous);
    }
    lastBuilt = next;
    lastInputs = sources.stream().map(SourceContents::resources).toList();
    lastSourceMessages = sources.stream().map(SourceContents::messages).toList();
    return next;
  }

  /**
   * The next snapshot when the sources differ from the last build only by EndpointSlices replaced, each parsed
   * without a message: the churn of a running cluster (a pod starting, stopping, turning ready). Derived from
   * {@code previous} without reading, indexing or cross-checking the other objects again, which an EndpointSlice
   * takes no part in. Null when anything else changed (an object added or removed, another kind, an invalid slice,
   * a duplicate): {@link #rebuild} then reads everything.
   */
  private ConfigSnapshot endpointSlicesOnly(List<SourceContents> sources, ConfigSnapshot previous) {
    if (lastHadDuplicates || sources.size() != lastInputs.size()) {
      return null;
    }
    // A source lists an unchanged object as the same instance in the same place (informer caches replace in
    // place, files keep their order), so comparing positions finds what changed without a lookup per object.
    List<RawResource> added = new ArrayList<>();
    List<RawResource> gone = new ArrayList<>();
    for (int s = 0; s < sources.size(); s++) {
      SourceContents source = sources.get(s);
      List<RawResource> now = source.resources();
      List<RawResource> before = lastInputs.get(s);
      if (now.size() != before.size() || !source.messages().equals(lastSourceMessages.get(s))) {
        return null;
      }
      for (int i = 0; i < now.size(); i++) {
        if (now.get(i) != before.get(i)) {
          if (added.size() == MAX_FAST_CHANGES) {
            return null;
          }
          added.add(now.get(i));
          gone.add(before.get(i));
        }
      }
    }
    if (added.isEmpty()) {
      return null;
    }
    Map<ResourceKey, EndpointSlice> slices = new HashMap<>();
    Map<ResourceKey, Origin> origins = new HashMap<>();
    for (int c = 0; c < added.size(); c++) {
      RawResource raw = added.get(c);
      if (cache.containsKey(raw)) {
        return null; // an unchanged document in another place: the order changed
      }
      List<ParsedResource> results = parse(raw);
      cache.put(raw, results); // kept for the full build too, should this path give up
      ParsedResource slice = cleanEndpointSlice(results);
      ParsedResource before = cleanEndpointSlice(cache.get(gone.get(c)));
      if (slice == null || before == null || !slice.key().equals(before.key())) {
        return null;
      }
      slices.put(slice.key().orElseThrow(), (EndpointSlice) slice.kubernetes().orElseThrow());
      origins.put(slice.key().orElseThrow(), slice.origin());
    }
    gone.forEach(cache::remove);
    return previous.withEndpointSlices(slices, origins);
  }

  /** The one result of a document if it is a valid EndpointSlice without any message; null otherwise. */
  private static ParsedResource cleanEndpointSlice(List<ParsedResource> results) {
    if (results == null || results.size() != 1) {
      return null;
    }
    ParsedResource only = results.get(0);
    boolean slice = only.key().isPresent() && only.messages().isEmpty()
        && only.kubernetes().filter(object -> object.getClass() == EndpointSlice.class).isPresent();
    return slice ? only : null;
  }

  /** Reads every source's objects (parsing only documents not seen before) and checks them together. */
  private ConfigSnapshot rebuild(List<SourceContents> sources, ConfigSnapshot previous) {
    Map<RawResource, List<ParsedResource>> nextCache = new IdentityHashMap<>();
    boolean duplicates = false;
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
            duplicates = true;
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
    lastHadDuplicates = duplicates;
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
