package io.meshfed.control.plane.istio;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads config documents, from YAML files or Kubernetes alike, into meshfed's model: Istio kinds and ServiceExport
 * become {@link ConfigResource}s, Kubernetes kinds fabric8 objects. Every problem becomes a {@link Message} naming
 * the object, the field and the fix; nothing is dropped silently. Stateless and thread-safe.
 */
public final class ResourceParser {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final MeshSettings mesh;

  public ResourceParser(MeshSettings mesh) {
    this.mesh = Objects.requireNonNull(mesh, "mesh");
  }

  public MeshSettings mesh() {
    return mesh;
  }

  /** Reads one document; a Kubernetes {@code List} yields one result per item. */
  public List<ParsedResource> parse(Value document, Origin origin) {
    Origin at = origin.at(document.position());
    if (!(document instanceof ObjectValue object)) {
      return List.of(malformed(at, "document is " + document.describe() + " (expected: a mapping with apiVersion, "
          + "kind, metadata)", "write one Kubernetes object per document"));
    }
    Optional<String> kind = object.text("kind");
    Optional<String> apiVersion = object.text("apiVersion");
    if (kind.filter(k -> k.endsWith("List")).isPresent() && object.get("items").orElse(null) instanceof ListValue l) {
      List<ParsedResource> results = new ArrayList<>();
      for (Value item : l.items()) {
        results.addAll(parse(item, origin));
      }
      return results;
    }
    if (kind.isEmpty() || apiVersion.isEmpty()) {
      return List.of(malformed(at, "missing " + (apiVersion.isEmpty() ? "apiVersion" : "kind")
          + " (expected: apiVersion and kind)", "add apiVersion and kind, e.g. networking.istio.io/v1 VirtualService"));
    }
    Optional<ObjectValue> metadata = object.object("metadata");
    Optional<String> name = metadata.flatMap(m -> m.text("name")).filter(n -> !n.isEmpty());
    if (name.isEmpty()) {
      return List.of(malformed(at, kind.get() + " without metadata.name (expected: a name)", "set metadata.name"));
    }
    String namespace = Kinds.clusterScoped(kind.get()) ? ""
        : metadata.flatMap(m -> m.text("namespace")).filter(n -> !n.isEmpty()).orElse(mesh.defaultNamespace());
    ResourceKey key = new ResourceKey(kind.get(), namespace, name.get());
    Problems problems = new Problems(key, at);
    ResourceMeta meta = meta(apiVersion.get(), key, metadata.get(), at, problems);
    return List.of(read(object, meta, problems));
  }

  /** A typed Kubernetes object (from an informer): nothing to parse, only its key. */
  public ParsedResource parse(HasMetadata resource, Origin origin) {
    String namespace = Objects.requireNonNullElse(resource.getMetadata().getNamespace(), "");
    ResourceKey key = new ResourceKey(resource.getKind(), namespace, resource.getMetadata().getName());
    return new ParsedResource(Optional.of(key), origin, Optional.empty(), Optional.of(resource), List.of());
  }

  private ParsedResource read(ObjectValue object, ResourceMeta meta, Problems problems) {
    String apiVersion = meta.apiVersion();
    String kind = meta.key().kind();
    String group = Kinds.group(apiVersion);
    String version = Kinds.version(apiVersion);
    Optional<Class<? extends HasMetadata>> kubernetesType = Kinds.kubernetes(apiVersion, kind);
    if (kubernetesType.isPresent()) {
      return kubernetes(object, meta, kubernetesType.get(), problems);
    }
    boolean networking = group.equals(Kinds.NETWORKING) && Kinds.NETWORKING_KINDS.contains(kind)
        && Kinds.NETWORKING_VERSIONS.contains(version);
    boolean security = group.equals(Kinds.SECURITY) && Kinds.SECURITY_KINDS.contains(kind)
        && Kinds.SECURITY_VERSIONS.contains(version);
    boolean export = group.equals(Kinds.MULTICLUSTER) && kind.equals("ServiceExport") && version.equals("v1alpha1");
    if (!networking && !security && !export) {
      return unknownKind(meta, problems);
    }
    ConfigResource resource = export ? serviceExport(object, meta, problems) : istio(object, meta, problems);
    return result(meta, problems, Optional.ofNullable(resource), Optional.empty());
  }

  private ConfigResource istio(ObjectValue object, ResourceMeta meta, Problems problems) {
    FieldReader top = new FieldReader(object, "", problems);
    top.allow("apiVersion", "kind", "metadata", "status");
    ReadContext context = new ReadContext(meta.namespace(), mesh);
    ConfigResource resource;
    Optional<ObjectValue> specValue = top.objectValue("spec");
    if (specValue.isEmpty()) {
      if (!top.has("spec")) {
        top.missing("spec", "the " + meta.key().kind() + " spec");
      }
      top.finish();
      return null;
    }
    FieldReader spec = new FieldReader(specValue.get(), "spec", problems);
    resource = switch (meta.key().kind()) {
      case "VirtualService" -> new VirtualServiceReader(context).read(spec, meta);
      case "DestinationRule" -> new DestinationRuleReader(context).read(spec, meta);
      case "Gateway" -> new GatewayReader().read(spec, meta);
      case "ServiceEntry" -> new ServiceEntryReader().read(spec, meta);
      case "PeerAuthentication" -> SecurityReaders.peerAuthentication(spec, meta);
      case "AuthorizationPolicy" -> SecurityReaders.authorizationPolicy(spec, meta);
      case "RequestAuthentication" -> SecurityReaders.requestAuthentication(spec, meta);
      default -> throw new IllegalStateException("unreachable: " + meta.key().kind());
    };
    spec.finish();
    top.finish();
    if (meta.key().kind().equals("Gateway") && !CommonReaders.DNS_LABEL.matcher(meta.name()).matches()) {
      problems.add(MessageType.INVALID_VALUE, "metadata.name", meta.origin().position(),
          "\"" + meta.name() + "\" (expected: a DNS-1123 label, no dots)", "rename the Gateway");
    }
    return resource;
  }

  private ConfigResource serviceExport(ObjectValue object, ResourceMeta meta, Problems problems) {
    FieldReader top = new FieldReader(object, "", problems);
    top.allow("apiVersion", "kind", "metadata", "status");
    top.objectValue("spec").ifPresent(spec -> new FieldReader(spec, "spec", problems).finish());
    top.finish();
    return new ServiceExport(meta);
  }

  private ParsedResource kubernetes(ObjectValue object, ResourceMeta meta, Class<? extends HasMetadata> type,
      Problems problems) {
    try {
      HasMetadata resource = SERIALIZATION.convertValue(Values.toJava(object), type);
      if (resource.getMetadata().getNamespace() == null && !Kinds.clusterScoped(meta.key().kind())) {
        resource.getMetadata().setNamespace(meta.namespace());
      }
      return result(meta, problems, Optional.empty(), Optional.of(resource));
    } catch (IllegalArgumentException e) {
      problems.add(MessageType.INVALID_VALUE, "", meta.origin().position(),
          "not a valid " + meta.key().kind() + ": " + rootMessage(e), "fix the object so kubectl accepts it");
      return result(meta, problems, Optional.empty(), Optional.empty());
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    String message = Objects.requireNonNullElse(root.getMessage(), root.toString());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private ParsedResource unknownKind(ResourceMeta meta, Problems problems) {
    String group = Kinds.group(meta.apiVersion());
    boolean ours = group.equals(Kinds.NETWORKING) || group.equals(Kinds.SECURITY) || group.equals(Kinds.MULTICLUSTER);
    if (ours) {
      String supported = switch (group) {
        case Kinds.NETWORKING -> "VirtualService, DestinationRule, Gateway, ServiceEntry at v1, v1beta1 or v1alpha3";
        case Kinds.SECURITY -> "PeerAuthentication, AuthorizationPolicy, RequestAuthentication at v1 or v1beta1";
        default -> "ServiceExport at v1alpha1";
      };
      problems.add(MessageType.UNKNOWN_KIND, "", meta.origin().position(),
          meta.apiVersion() + " " + meta.key().kind() + " is not supported by meshfed (expected: " + supported + ")",
          "remove the object, or check the kind's spelling and apiVersion");
      return result(meta, problems, Optional.empty(), Optional.empty());
    }
    problems.add(MessageType.IGNORED_KIND, "", meta.origin().position(),
        meta.apiVersion() + " " + meta.key().kind() + " is not read by meshfed; it has no effect",
        "nothing to do if that is intended; meshfed reads the Istio API, ServiceExport and Kubernetes services");
    return new ParsedResource(Optional.of(meta.key()), meta.origin(), Optional.empty(), Optional.empty(),
        problems.messages());
  }

  private ResourceMeta meta(String apiVersion, ResourceKey key, ObjectValue metadata, Origin origin,
      Problems problems) {
    FieldReader reader = new FieldReader(metadata, "metadata", problems);
    Map<String, String> labels = reader.stringMap("labels");
    Map<String, String> annotations = reader.stringMap("annotations");
    Optional<Instant> created = reader.string("creationTimestamp").flatMap(text -> {
      try {
        return Optional.of(Instant.parse(text));
      } catch (DateTimeParseException e) {
        reader.invalid("creationTimestamp", new ScalarValue(text, metadata.position()), "an RFC 3339 time",
            "remove it; the API server sets it");
        return Optional.empty();
      }
    });
    String resourceVersion = reader.string("resourceVersion").orElse("");
    return new ResourceMeta(apiVersion, key, labels, annotations, created, resourceVersion, origin);
  }

  private static ParsedResource result(ResourceMeta meta, Problems problems, Optional<ConfigResource> config,
      Optional<HasMetadata> kubernetes) {
    boolean rejected = problems.rejects();
    return new ParsedResource(Optional.of(meta.key()), meta.origin(), rejected ? Optional.empty() : config,
        rejected ? Optional.empty() : kubernetes, problems.messages());
  }

  private static ParsedResource malformed(Origin origin, String detail, String fix) {
    Message message = new Message(MessageType.MALFORMED_OBJECT, Optional.empty(), origin, "", detail, fix,
        Optional.empty());
    return new ParsedResource(Optional.empty(), origin, Optional.empty(), Optional.empty(), List.of(message));
  }
}
