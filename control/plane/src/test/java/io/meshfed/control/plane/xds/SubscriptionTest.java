package io.meshfed.control.plane.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The wildcard rules of xDS protocol "How the client specifies what resources to return", example by example. */
class SubscriptionTest {

    @Test
    void sotwExampleSequenceFromTheProtocolDocument() {
        Subscription s = new Subscription();

        assertThat(s.replace(List.of())).containsExactly("*");
        assertThat(s.wildcard()).isTrue();

        assertThat(s.replace(List.of("*", "A"))).containsExactly("A");
        assertThat(s.wildcard()).isTrue();

        assertThat(s.replace(List.of("A"))).isEmpty();
        assertThat(s.wildcard()).isFalse();
        assertThat(s.names()).containsExactly("A");

        // Identical to the first request, but no longer the legacy wildcard: an unsubscription from everything.
        s.replace(List.of());
        assertThat(s.wildcard()).isFalse();
        assertThat(s.names()).isEmpty();
    }

    @Test
    void deltaExampleSequenceFromTheProtocolDocument() {
        Subscription s = new Subscription();
        Set<String> unsubscribed = new HashSet<>();

        assertThat(s.update(List.of(), List.of(), true, unsubscribed)).containsExactly("*");
        assertThat(s.update(List.of("A"), List.of(), false, unsubscribed)).containsExactly("A");
        assertThat(s.wildcard()).isTrue();

        s.update(List.of(), List.of("*"), false, unsubscribed);
        assertThat(s.wildcard()).isFalse();
        assertThat(s.covers("A")).isTrue();

        s.update(List.of(), List.of("A"), false, unsubscribed);
        assertThat(unsubscribed).containsExactly("A");
        assertThat(s.covers("A")).isFalse();
        assertThat(s.wildcard()).isFalse();
    }

    @Test
    void firstDeltaRequestNamingResourcesIsNotAWildcard() {
        Subscription s = new Subscription();

        assertThat(s.update(List.of("a", "b"), List.of(), true, new HashSet<>())).containsExactly("a", "b");
        assertThat(s.wildcard()).isFalse();
    }
}
