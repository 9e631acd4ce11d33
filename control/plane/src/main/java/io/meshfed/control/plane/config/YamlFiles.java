package io.meshfed.control.plane.config;

import io.meshfed.control.plane.istio.Message;
import io.meshfed.control.plane.istio.MessageType;
import io.meshfed.control.plane.istio.Origin;
import io.meshfed.control.plane.istio.YamlDocuments;
import io.meshfed.control.plane.istio.YamlSyntaxException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds and reads YAML config files: {@code .yaml}/{@code .yml}, recursively, hidden entries skipped. Blocking. */
public final class YamlFiles {

  /** One file's documents, or why it could not be read. */
  public record FileRead(List<RawResource> resources, Optional<Message> error) {

    public FileRead {
      resources = List.copyOf(resources);
    }
  }

  private YamlFiles() {
  }

  /**
   * The YAML files under {@code root} (or {@code root} itself if it is a file), sorted. Entries whose name starts
   * with a dot are skipped, which also skips the {@code ..data} directories of Kubernetes ConfigMap volumes while
   * reading the files they link to.
   */
  public static List<Path> find(Path root) throws IOException {
    if (Files.isRegularFile(root)) {
      return List.of(root);
    }
    try (Stream<Path> paths = Files.walk(root, FileVisitOption.FOLLOW_LINKS)) {
      return paths.filter(path -> !hidden(root, path)).filter(Files::isRegularFile).filter(YamlFiles::isYaml)
          .sorted().toList();
    }
  }

  public static boolean isYaml(Path path) {
    String name = path.getFileName().toString();
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  static boolean hidden(Path root, Path path) {
    for (Path part : root.relativize(path)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** Reads one file; {@code name} is how messages refer to it (the path as the user gave it). */
  public static FileRead read(Path file, String name) {
    String text;
    try {
      text = Files.readString(file);
    } catch (CharacterCodingException e) {
      return failed(name, "not UTF-8 text");
    } catch (IOException e) {
      return failed(name, "cannot read: " + e.getMessage());
    }
    try {
      List<RawResource> resources = new ArrayList<>();
      for (YamlDocuments.Document document : YamlDocuments.read(name, text)) {
        resources.add(RawResource.document(document.root(), Origin.of(name)));
      }
      return new FileRead(resources, Optional.empty());
    } catch (YamlSyntaxException e) {
      return new FileRead(List.of(), Optional.of(new Message(MessageType.INVALID_YAML, Optional.empty(),
          new Origin(name, e.position()), "", e.problem(),
          "fix the YAML at " + e.position().map(Object::toString).orElse("the reported place")
              + "; no object of this file is read until it parses", Optional.empty())));
    }
  }

  private static FileRead failed(String name, String why) {
    return new FileRead(List.of(), Optional.of(new Message(MessageType.SOURCE_PROBLEM, Optional.empty(),
        Origin.of(name), "", why, "make the file readable UTF-8 YAML", Optional.empty())));
  }
}
