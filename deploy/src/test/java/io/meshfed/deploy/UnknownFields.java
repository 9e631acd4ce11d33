package io.meshfed.deploy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Fields fabric8's typed model did not recognise (it keeps them in {@code additionalProperties}); the API server
 * with strict field validation (`kubectl apply`'s default since Kubernetes 1.27) would reject them, so a template
 * typo such as {@code readinesProbe} shows up here.
 */
final class UnknownFields {

  private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

  private UnknownFields() {
  }

  /** Paths of unknown fields under {@code object}, e.g. {@code spec.template.spec.containers[0].readinesProbe}. */
  static List<String> of(Object object) {
    List<String> found = new ArrayList<>();
    walk("", object, found);
    return found;
  }

  private static void walk(String path, Object value, List<String> found) {
    if (value == null || value instanceof GenericKubernetesResource) {
      return;
    }
    if (value instanceof Collection<?> collection) {
      int i = 0;
      for (Object element : collection) {
        walk(path + "[" + i++ + "]", element, found);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((key, element) -> walk(path + "[" + key + "]", element, found));
      return;
    }
    if (!value.getClass().getPackageName().startsWith(MODEL_PACKAGE)) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
          || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object child;
      try {
        child = getter.invoke(value);
      } catch (IllegalAccessException | InvocationTargetException e) {
        continue;
      }
      String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
      if (field.equals("additionalProperties") && child instanceof Map<?, ?> extra) {
        extra.keySet().forEach(key -> found.add((path.isEmpty() ? "" : path + ".") + key));
      } else {
        walk(path.isEmpty() ? field : path + "." + field, child, found);
      }
    }
  }
}
