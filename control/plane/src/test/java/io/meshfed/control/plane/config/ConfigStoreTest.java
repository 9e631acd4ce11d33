package io.meshfed.control.plane.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ConfigStoreTest {

  /** A source whose contents and readiness the test sets. */
  private static final class FakeSource implements ConfigSource {

    private volatile SourceContents contents = new SourceContents("fake", List.of(), List.of());
    private volatile boolean ready;
    private volatile Runnable onChange = () -> { };

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public void start(Runnable onChange) {
      this.onChange = onChange;
    }

    @Override
    public boolean ready() {
      return ready;
    }

    @Override
    public SourceContents contents() {
      return contents;
    }

    void set(String yaml) {
      contents = Snapshots.contents("fake.yaml", yaml);
    }

    void becomeReady() {
      ready = true;
      onChange.run();
    }

    void changed() {
      onChange.run();
    }

    @Override
    public void close() {
    }
  }

  private static final String VS = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: vs-%d}
      spec: {hosts: [h%d], http: [{route: [{destination: {host: h}}]}]}
      """;

  @Test
  void nothingIsPublishedBeforeEverySourceIsReady() throws Exception {
    FakeSource a = new FakeSource();
    FakeSource b = new FakeSource();
    a.set(VS.formatted(1, 1));
    b.set(VS.formatted(2, 2));
    try (ConfigStore store = ConfigStore.builder().source(a).source(b).debounce(Duration.ZERO).build()) {
      SnapshotQueue published = new SnapshotQueue();
      List<ConfigSnapshot> all = new CopyOnWriteArrayList<>();
      store.subscribe(s -> {
        all.add(s);
        published.add(s);
      });
      store.start();
      a.becomeReady();
      a.changed();
      b.becomeReady();
      ConfigSnapshot first = published.await(s -> true);
      assertThat(first.virtualServices()).hasSize(2);
      assertThat(all.get(0).version()).isEqualTo(1);
    }
  }

  @Test
  void burstsOfChangesAreCoalescedAndUnchangedContentsAreNotRepublished() throws Exception {
    FakeSource source = new FakeSource();
    source.set(VS.formatted(0, 0));
    try (ConfigStore store = ConfigStore.builder().source(source).debounce(Duration.ofMillis(200)).build()) {
      List<ConfigSnapshot> all = new CopyOnWriteArrayList<>();
      SnapshotQueue published = new SnapshotQueue();
      store.subscribe(s -> {
        all.add(s);
        published.add(s);
      });
      store.start();
      source.becomeReady();
      published.await(s -> s.virtualServices().size() == 1);
      StringBuilder yaml = new StringBuilder();
      for (int i = 1; i <= 50; i++) {
        yaml.append(VS.formatted(i, i)).append("---\n");
        source.set(yaml.toString());
        source.changed();
      }
      published.await(s -> s.virtualServices().size() == 50);
      assertThat(all.size()).isLessThan(10);
      int before = all.size();
      source.changed(); // same RawResource instances: nothing new to publish
      source.set(yaml + VS.formatted(99, 99));
      source.changed();
      published.await(s -> s.virtualServices().size() == 51);
      assertThat(all).hasSize(before + 1);
      assertThat(store.current().version()).isEqualTo(all.get(all.size() - 1).version());
    }
  }

  @Test
  void builderValidatesItsArguments() {
    assertThatThrownBy(() -> ConfigStore.builder().build()).hasMessageContaining("sources: none");
    assertThatThrownBy(() -> ConfigStore.builder().debounce(Duration.ofMillis(-1)))
        .hasMessage("debounce: PT-0.001S (expected: >= 0)");
  }
}
