package io.meshfed.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import picocli.CommandLine;

/** What this build is made of, read from the jars themselves rather than typed in. */
final class BuildInfo implements CommandLine.IVersionProvider {

  static String version() {
    return resourceProperty("/meshfed-version.properties", "version");
  }

  static String vertxVersion() {
    try (InputStream in = BuildInfo.class.getResourceAsStream("/META-INF/vertx/vertx-version.txt")) {
      return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String nettyVersion() {
    var netty = io.netty.util.Version.identify().get("netty-common");
    return netty == null ? "unknown" : netty.artifactVersion();
  }

  @Override
  public String[] getVersion() {
    return new String[] {
        "meshfed " + version(),
        "Vert.x " + vertxVersion() + ", Netty " + nettyVersion() + ", Java " + Runtime.version(),
    };
  }

  private static String resourceProperty(String resource, String key) {
    try (InputStream in = BuildInfo.class.getResourceAsStream(resource)) {
      if (in == null) {
        return "unknown";
      }
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty(key, "unknown");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
