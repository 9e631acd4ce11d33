package io.meshfed.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The module arrows in docs/architecture.md are the POMs' arrows, and they point one way. */
class ArchitectureTest {

  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
  private static final Pattern ROW = Pattern.compile("^\\| (\\d+) \\| `([^`]+)` \\| ([^|]+) \\|$");

  record Module(int layer, String pom, Set<String> dependsOn) {
  }

  @Test
  void documentedArrowsAreExactlyThePomArrows() throws Exception {
    for (Module module : documentedModules().values()) {
      assertThat(pomDependencies(ROOT.resolve(module.pom())))
          .as("meshfed dependencies of %s (docs/architecture.md lists %s)", module.pom(), module.dependsOn())
          .isEqualTo(module.dependsOn());
    }
  }

  @Test
  void everyArrowPointsToAnEarlierLayer() throws Exception {
    Map<String, Module> modules = documentedModules();
    for (Module module : modules.values()) {
      for (String dependency : module.dependsOn()) {
        Module target = modules.get(dependency);
        assertThat(target).as("%s depends on %s, which docs/architecture.md does not list", module.pom(), dependency)
            .isNotNull();
        assertThat(target.layer()).as("%s (layer %d) -> %s", module.pom(), module.layer(), dependency)
            .isLessThan(module.layer());
      }
    }
  }

  @Test
  void everyModuleOfTheBuildIsDocumented() throws Exception {
    Set<String> documented = documentedModules().values().stream().map(Module::pom).collect(Collectors.toSet());
    try (var poms = Files.walk(ROOT, 3)) {
      Set<String> built = poms
          .filter(path -> path.getFileName().toString().equals("pom.xml"))
          .map(path -> ROOT.relativize(path).toString())
          .filter(path -> !path.equals("pom.xml") && !path.equals("control/pom.xml")
              && !path.equals("it/kube-mock/pom.xml") && !path.contains("target/"))
          .collect(Collectors.toCollection(TreeSet::new));
      assertThat(documented).containsExactlyInAnyOrderElementsOf(built);
    }
  }

  /** Keyed by artifact id, read from the table under "## Dependency arrows". */
  private static Map<String, Module> documentedModules() throws Exception {
    Map<String, Module> modules = new HashMap<>();
    for (String line : Files.readAllLines(ROOT.resolve("docs/architecture.md"))) {
      Matcher row = ROW.matcher(line.trim());
      if (row.matches()) {
        String dependsOn = row.group(3).trim();
        Set<String> targets = dependsOn.equals("(none)") ? Set.of()
            : Arrays.stream(dependsOn.split(",")).map(String::trim).collect(Collectors.toSet());
        Module module = new Module(Integer.parseInt(row.group(1)), row.group(2), targets);
        modules.put(artifactId(ROOT.resolve(module.pom())), module);
      }
    }
    assertThat(modules).as("rows of the arrows table in docs/architecture.md").hasSizeGreaterThanOrEqualTo(8);
    return modules;
  }

  private static String artifactId(Path pom) throws Exception {
    Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile())
        .getDocumentElement();
    NodeList children = project.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      if (children.item(i) instanceof Element element && element.getTagName().equals("artifactId")) {
        return element.getTextContent().trim();
      }
    }
    throw new AssertionError(pom + " has no artifactId");
  }

  /** The meshfed modules a POM depends on outside test scope. */
  private static Set<String> pomDependencies(Path pom) throws Exception {
    Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile())
        .getDocumentElement();
    Set<String> result = new TreeSet<>();
    NodeList dependencies = project.getElementsByTagName("dependency");
    for (int i = 0; i < dependencies.getLength(); i++) {
      Element dependency = (Element) dependencies.item(i);
      if (dependency.getParentNode().getParentNode() != project) {
        continue; // dependencyManagement or plugin dependencies
      }
      String groupId = text(dependency, "groupId");
      String scope = text(dependency, "scope");
      if ("io.meshfed".equals(groupId) && !"test".equals(scope)) {
        result.add(text(dependency, "artifactId"));
      }
    }
    return result;
  }

  private static String text(Element parent, String tag) {
    NodeList nodes = parent.getElementsByTagName(tag);
    return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().trim();
  }
}
