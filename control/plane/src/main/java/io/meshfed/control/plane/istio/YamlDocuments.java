package io.meshfed.control.plane.istio;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * Reads a multi-document YAML text into {@link Value} trees that remember the line and column of every node.
 *
 * <p>Scalars are typed with the YAML 1.2 core schema; duplicate keys are rejected, as Kubernetes' strict decoding
 * does. Empty documents (a lone {@code ---}, comments only) are skipped.
 */
public final class YamlDocuments {

  /** One document of a file: its index (0-based, counting skipped empty ones) and its root node. */
  public record Document(int index, Value root) {
  }

  private YamlDocuments() {
  }

  public static List<Document> read(String source, String text) throws YamlSyntaxException {
    LoadSettings settings = LoadSettings.builder().setLabel(source).setSchema(new CoreSchema())
        .setCodePointLimit(Integer.MAX_VALUE).build();
    List<Document> documents = new ArrayList<>();
    int index = 0;
    try {
      for (Node node : new Compose(settings).composeAllFromString(text)) {
        Value root = convert(source, node);
        if (!(root instanceof ScalarValue scalar && scalar.value() == null)) {
          documents.add(new Document(index, root));
        }
        index++;
      }
    } catch (MarkedYamlEngineException e) {
      throw new YamlSyntaxException(source, position(e.getProblemMark().or(e::getContextMark)),
          e.getProblem() + (e.getContext() == null ? "" : " " + e.getContext()));
    } catch (YamlEngineException e) {
      throw new YamlSyntaxException(source, Optional.empty(), e.getMessage());
    }
    return documents;
  }

  private static Value convert(String source, Node node) throws YamlSyntaxException {
    Optional<Position> position = position(node.getStartMark());
    if (node instanceof MappingNode mapping) {
      Map<String, Value> fields = new LinkedHashMap<>();
      Set<String> seen = new HashSet<>();
      for (NodeTuple tuple : mapping.getValue()) {
        if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
          throw new YamlSyntaxException(source, position(tuple.getKeyNode().getStartMark()),
              "mapping key is not a scalar (expected: a field name)");
        }
        String key = keyNode.getValue();
        if (!seen.add(key)) {
          throw new YamlSyntaxException(source, position(keyNode.getStartMark()),
              "duplicate key \"" + key + "\" (expected: each key once per mapping)");
        }
        fields.put(key, convert(source, tuple.getValueNode()));
      }
      return new ObjectValue(fields, position);
    }
    if (node instanceof SequenceNode sequence) {
      List<Value> items = new ArrayList<>();
      for (Node item : sequence.getValue()) {
        items.add(convert(source, item));
      }
      return new ListValue(items, position);
    }
    ScalarNode scalar = (ScalarNode) node;
    return new ScalarValue(scalarValue(scalar), position);
  }

  private static Object scalarValue(ScalarNode scalar) {
    String text = scalar.getValue();
    Tag tag = scalar.getTag();
    if (Tag.NULL.equals(tag)) {
      return null;
    }
    if (Tag.BOOL.equals(tag)) {
      return Boolean.parseBoolean(text.toLowerCase(java.util.Locale.ROOT));
    }
    if (Tag.INT.equals(tag)) {
      try {
        if (text.startsWith("0x")) {
          return Long.parseLong(text.substring(2), 16);
        }
        if (text.startsWith("0o")) {
          return Long.parseLong(text.substring(2), 8);
        }
        return Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
      } catch (NumberFormatException tooLarge) {
        return text;
      }
    }
    if (Tag.FLOAT.equals(tag)) {
      try {
        return Double.parseDouble(text);
      } catch (NumberFormatException special) {
        return text; // .inf, .nan: no Istio field takes them; the field's reader reports the type
      }
    }
    return text;
  }

  private static Optional<Position> position(Optional<Mark> mark) {
    return mark.map(m -> new Position(m.getLine() + 1, m.getColumn() + 1));
  }
}
