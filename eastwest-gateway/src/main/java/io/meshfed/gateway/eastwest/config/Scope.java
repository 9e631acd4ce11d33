package io.meshfed.gateway.eastwest.config;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import io.meshfed.gateway.eastwest.ConfigError;
import io.meshfed.gateway.eastwest.ResourceType;
import java.time.Duration;
import java.util.Set;

/**
 * Where in a resource translation is looking (resource and field path), so each error names both; also the profile
 * check that refuses fields the gateway does not honour.
 */
final class Scope {

  static final String UNSUPPORTED = "unsupported by the meshfed east-west gateway (docs/xds-profile.md)";

  private final Problems problems;
  private final ResourceType type;
  private final String resource;
  private final String path;

  Scope(Problems problems, ResourceType type, String resource, String path) {
    this.problems = problems;
    this.type = type;
    this.resource = resource;
    this.path = path;
  }

  Scope field(String name) {
    return new Scope(problems, type, resource, path.isEmpty() ? name : path + "." + name);
  }

  Scope index(String name, int index) {
    return field(name + "[" + index + "]");
  }

  String path() {
    return path;
  }

  /** How many errors the whole translation has so far (to tell whether a step added any). */
  int problemCount() {
    return problems.count();
  }

  void error(String reason) {
    problems.add(new ConfigError(type, resource, path, reason));
  }

  /**
   * Reports every field set on {@code message} outside {@code allowed} (proto field names); returns whether none was.
   */
  boolean allowOnly(MessageOrBuilder message, Set<String> allowed) {
    boolean clean = true;
    for (FieldDescriptor field : message.getAllFields().keySet()) {
      if (!allowed.contains(field.getName())) {
        field(field.getName()).error(UNSUPPORTED);
        clean = false;
      }
    }
    return clean;
  }

  /** Unpacks a {@code typed_config}, reporting a wrong or unparsable type; {@code null} then. */
  <T extends Message> T unpack(Any any, Class<T> type, String expectedTypeUrl, String filterName) {
    if (!any.getTypeUrl().equals(expectedTypeUrl)) {
      field("typed_config").error(any.getTypeUrl() + " for " + filterName + " (expected: " + expectedTypeUrl + ")");
      return null;
    }
    try {
      return any.unpack(type);
    } catch (InvalidProtocolBufferException e) {
      field("typed_config").error("does not parse as " + expectedTypeUrl + ": " + e.getMessage());
      return null;
    }
  }

  static Duration duration(com.google.protobuf.Duration value) {
    return Duration.ofSeconds(value.getSeconds(), value.getNanos());
  }

  private static final ClassValue<String> TYPE_URLS = new ClassValue<>() {
    @Override
    protected String computeValue(Class<?> type) {
      try {
        Message instance = (Message) type.getMethod("getDefaultInstance").invoke(null);
        return "type.googleapis.com/" + instance.getDescriptorForType().getFullName();
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(type.getName(), e);
      }
    }
  };

  /** The {@code @type} URL of a proto message class (computed once per class). */
  static String typeUrl(Class<? extends Message> type) {
    return TYPE_URLS.get(type);
  }
}
