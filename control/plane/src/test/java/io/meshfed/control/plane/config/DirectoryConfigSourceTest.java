package io.meshfed.control.plane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.control.plane.istio.MessageType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryConfigSourceTest {

  private static final String VS = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: %s}
      spec:
        hosts: [%s]
        http: [{route: [{destination: {host: %s}, weight: %s}]}]
      """;

  @TempDir
  Path dir;

  private ConfigStore store;
  private final SnapshotQueue published = new SnapshotQueue();

  private void start() throws Exception {
    store = ConfigStore.builder().debounce(Duration.ofMillis(10))
        .source(DirectoryConfigSource.builder(dir).debounce(Duration.ofMillis(50))
            .rescanInterval(Duration.ofMillis(500)).build())
        .build();
    store.subscribe(published::add);
    store.start();
  }

  @AfterEach
  void stop() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void readsMultiDocumentFilesRecursivelySkippingHiddenOnes() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), VS.formatted("a", "a", "a", 100) + "---\n" + VS.formatted("b", "b", "b", 100));
    Files.createDirectories(dir.resolve("team/nested"));
    Files.writeString(dir.resolve("team/nested/c.yml"), VS.formatted("c", "c", "c", 100));
    Files.writeString(dir.resolve("notes.txt"), "not config");
    Files.createDirectories(dir.resolve(".git"));
    Files.writeString(dir.resolve(".git/d.yaml"), VS.formatted("d", "d", "d", 100));
    start();
    ConfigSnapshot snapshot = published.await(s -> s.virtualServices().size() == 3);
    assertThat(snapshot.virtualServices()).extracting(vs -> vs.meta().name()).containsExactly("a", "b", "c");
    assertThat(snapshot.virtualServices().get(2).meta().origin().toString()).endsWith("c.yml:1:1");
    assertThat(store.current()).isSameAs(snapshot);
  }

  @Test
  void changesAreWatchedAndAnInvalidEditKeepsTheLastGoodVersion() throws Exception {
    Path file = dir.resolve("reviews.yaml");
    Files.writeString(file, VS.formatted("reviews", "reviews", "reviews", 100));
    start();
    published.await(s -> s.virtualServices().size() == 1);

    Files.writeString(file, VS.formatted("reviews", "reviews", "reviews", -3));
    ConfigSnapshot invalid = published.await(s -> !s.errors().isEmpty());
    assertThat(invalid.virtualServices()).singleElement()
        .satisfies(vs -> assertThat(vs.http().get(0).route().get(0).weight()).isEqualTo(100));
    assertThat(invalid.errors().get(0).detail()).contains("last good version keeps serving");

    Files.writeString(file, "apiVersion: networking.istio.io/v1\nkind: [broken\n");
    ConfigSnapshot broken = published.await(s -> s.errors().stream()
        .anyMatch(m -> m.type() == MessageType.INVALID_YAML));
    assertThat(broken.virtualServices()).hasSize(1);
    assertThat(broken.errors()).filteredOn(m -> m.type() == MessageType.INVALID_YAML).singleElement()
        .satisfies(m -> {
          assertThat(m.origin().position()).isPresent();
          assertThat(m.detail()).contains("1 object(s) last read from this file keep serving");
        });

    Files.writeString(file, VS.formatted("reviews", "reviews", "reviews", 7));
    ConfigSnapshot fixed = published.await(s -> s.errors().isEmpty()
        && s.virtualServices().get(0).http().get(0).route().get(0).weight() == 7);
    assertThat(fixed.messages()).isEmpty();

    Files.createDirectories(dir.resolve("new"));
    Files.writeString(dir.resolve("new/ratings.yaml"), VS.formatted("ratings", "ratings", "ratings", 100));
    published.await(s -> s.virtualServices().size() == 2);

    Files.delete(file);
    ConfigSnapshot deleted = published.await(s -> s.virtualServices().size() == 1);
    assertThat(deleted.virtualServices().get(0).meta().name()).isEqualTo("ratings");
  }

  @Test
  void configMapVolumeUpdatesThroughTheDataSymlinkSwapAreSeen() throws Exception {
    // The layout kubelet writes for a ConfigMap volume: files link through ..data to a timestamped directory,
    // and an update swaps ..data atomically (rename of a new link over the old one).
    Path v1 = Files.createDirectories(dir.resolve("..2024_01_01"));
    Files.writeString(v1.resolve("reviews.yaml"), VS.formatted("reviews", "reviews", "reviews", 100));
    Files.createSymbolicLink(dir.resolve("..data"), dir.relativize(v1));
    Files.createSymbolicLink(dir.resolve("reviews.yaml"), Path.of("..data/reviews.yaml"));
    start();
    ConfigSnapshot first = published.await(s -> s.virtualServices().size() == 1);
    assertThat(first.virtualServices().get(0).http().get(0).route().get(0).weight()).isEqualTo(100);

    Path v2 = Files.createDirectories(dir.resolve("..2024_01_02"));
    Files.writeString(v2.resolve("reviews.yaml"), VS.formatted("reviews", "reviews", "reviews", 42));
    Files.createSymbolicLink(dir.resolve("..data_tmp"), dir.relativize(v2));
    Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    ConfigSnapshot updated = published.await(s -> s.virtualServices().size() == 1
        && s.virtualServices().get(0).http().get(0).route().get(0).weight() == 42);
    assertThat(updated.messages()).isEmpty();
  }

  @Test
  void missingDirectoryIsRejectedUpFront() {
    assertThatThrownBy(() -> DirectoryConfigSource.builder(dir.resolve("absent")))
        .hasMessageContaining("(expected: an existing directory of YAML)");
  }
}
