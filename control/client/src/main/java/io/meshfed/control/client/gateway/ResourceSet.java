package io.meshfed.control.client.gateway;

import com.google.protobuf.Message;
import io.meshfed.control.client.xds.XdsResourceType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Every xDS resource a gateway holds at one moment, per type and name (the state of the world of every type), as a
 * {@link DataPlane} is asked to serve it. Immutable; {@link #with} derives the next set.
 *
 * @param version the version of the update that produced this set (for logs and the engines' snapshots)
 * @param resources per type, by name
 */
public record ResourceSet(String version, Map<XdsResourceType, Map<String, Message>> resources) {

  /** Nothing yet. */
  public static final ResourceSet EMPTY = new ResourceSet("", Map.of());

  public ResourceSet {
    Objects.requireNonNull(version, "version");
    Map<XdsResourceType, Map<String, Message>> copy = new EnumMap<>(XdsResourceType.class);
    resources.forEach((type, byName) -> copy.put(type, Collections.unmodifiableMap(new LinkedHashMap<>(byName))));
    resources = Collections.unmodifiableMap(copy);
  }

  /** The resources of one type by name (empty if none). */
  public Map<String, Message> of(XdsResourceType type) {
    return resources.getOrDefault(type, Map.of());
  }

  /** The resources of one type, typed. */
  public <T extends Message> List<T> list(XdsResourceType type, Class<T> messageClass) {
    List<T> out = new ArrayList<>();
    for (Message message : of(type).values()) {
      out.add(messageClass.cast(message));
    }
    return out;
  }

  /** A copy with one type's resources replaced. */
  public ResourceSet with(String newVersion, XdsResourceType type, Map<String, ? extends Message> byName) {
    Map<XdsResourceType, Map<String, Message>> next = new EnumMap<>(XdsResourceType.class);
    next.putAll(resources);
    next.put(type, new LinkedHashMap<>(byName));
    return new ResourceSet(newVersion, next);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("ResourceSet{version=").append(version);
    for (XdsResourceType type : XdsResourceType.pushOrder()) {
      text.append(", ").append(type.shortName()).append('=').append(of(type).size());
    }
    return text.append('}').toString();
  }
}
