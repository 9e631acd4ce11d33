package io.meshfed.control.plane.istio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The parser knows every field of Istio's API: it reports none of them as unknown (MF0006). Each field is either
 * read, or reported as unsupported (MF0007/MF0008) by name. fabric8's istio-model, generated from Istio's protos,
 * is the list of fields: an object with every field set (oneof fields aside, which other tests cover) must raise no
 * unknown-field message.
 */
class IstioApiCoverageTest {

  @ParameterizedTest
  @CsvSource({
      "networking.istio.io/v1, VirtualService, io.fabric8.istio.api.api.networking.v1alpha3.VirtualService",
      "networking.istio.io/v1, DestinationRule, io.fabric8.istio.api.api.networking.v1alpha3.DestinationRule",
      "networking.istio.io/v1, Gateway, io.fabric8.istio.api.api.networking.v1alpha3.Gateway",
      "networking.istio.io/v1, ServiceEntry, io.fabric8.istio.api.api.networking.v1alpha3.ServiceEntry",
      "security.istio.io/v1, PeerAuthentication, io.fabric8.istio.api.api.security.v1beta1.PeerAuthentication",
      "security.istio.io/v1, AuthorizationPolicy, io.fabric8.istio.api.api.security.v1beta1.AuthorizationPolicy",
      "security.istio.io/v1, RequestAuthentication, io.fabric8.istio.api.api.security.v1beta1.RequestAuthentication"})
  void noFieldOfIstiosApiIsUnknown(String apiVersion, String kind, String specClass) throws Exception {
    Map<String, Value> document = new LinkedHashMap<>();
    document.put("apiVersion", scalar(apiVersion));
    document.put("kind", scalar(kind));
    document.put("metadata", new ObjectValue(Map.of("name", scalar("x")), Optional.empty()));
    Value spec = everyField(Class.forName(specClass), 0);
    assertThat(count(spec)).as("fields generated").isGreaterThan(3);
    document.put("spec", spec);
    List<ParsedResource> results = new ResourceParser(MeshSettings.DEFAULT)
        .parse(new ObjectValue(document, Optional.empty()), Origin.of("coverage"));
    assertThat(results).singleElement().satisfies(result -> assertThat(result.messages())
        .filteredOn(m -> m.type() == MessageType.UNKNOWN_FIELD).isEmpty());
  }

  private static Value everyField(Class<?> type, int depth) {
    Map<String, Value> fields = new LinkedHashMap<>();
    for (Field field : type.getDeclaredFields()) {
      JsonProperty property = field.getAnnotation(JsonProperty.class);
      if (property == null || field.getType().isInterface() && !List.class.equals(field.getType())
          && !Map.class.equals(field.getType())) {
        continue; // oneof holders (IsStringMatchMatchType...) are not field names
      }
      Value value = sample(field.getGenericType(), depth);
      if (value != null) {
        fields.put(property.value(), value);
      }
    }
    return new ObjectValue(fields, Optional.empty());
  }

  private static Value sample(Type type, int depth) {
    if (type instanceof ParameterizedType parameterized) {
      Type raw = parameterized.getRawType();
      Type[] arguments = parameterized.getActualTypeArguments();
      if (raw == List.class) {
        Value item = sample(arguments[0], depth);
        return item == null ? null : new ListValue(List.of(item), Optional.empty());
      }
      if (raw == Map.class) {
        Value item = sample(arguments[1], depth);
        return item == null ? null : new ObjectValue(Map.of("8080", item), Optional.empty());
      }
      return null;
    }
    Class<?> type0 = (Class<?>) type;
    if (type0 == String.class) {
      return scalar("x");
    }
    if (type0 == Integer.class || type0 == Long.class) {
      return new ScalarValue(1L, Optional.empty());
    }
    if (type0 == Double.class) {
      return new ScalarValue(1.0, Optional.empty());
    }
    if (type0 == Boolean.class) {
      return new ScalarValue(true, Optional.empty());
    }
    if (type0.isEnum()) {
      return scalar(type0.getEnumConstants()[0].toString());
    }
    if (type0.getName().startsWith("io.fabric8.istio") && depth < 6) {
      return everyField(type0, depth + 1);
    }
    return null;
  }

  private static int count(Value value) {
    if (value instanceof ObjectValue object) {
      return object.fields().values().stream().mapToInt(v -> 1 + count(v)).sum();
    }
    if (value instanceof ListValue list) {
      return list.items().stream().mapToInt(IstioApiCoverageTest::count).sum();
    }
    return 0;
  }

  private static ScalarValue scalar(String text) {
    return new ScalarValue(text, Optional.empty());
  }
}
