package io.meshfed.control.plane.xds;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The wildcard rules of xDS protocol "How the client specifies what resources to return", example by example. */
class SubscriptionTest {

    private static final UnaryOperator<String> SAME = UnaryOperator.identity();

    @Test
    void sotwExampleSequenceFromTheProtocolDocument() {
        Subscription s = new Subscription();

        assertThat(s.replace(List.of(), SAME)).containsExactly("*");
        assertThat(s.wildcard()).isTrue();

        assertThat(s.replace(List.of("*", "A"), SAME)).containsExactly("A");
        assertThat(s.wildcard()).isTrue();

        assertThat(s.replace(List.of("A"), SAME)).isEmpty();
        assertThat(s.wildcard()).isFalse();
        assertThat(s.names()).containsExactly("A");

        // Identical to the first request, but no longer the legacy wildcard: an unsubscription from everything.
        s.replace(List.of(), SAME);
        assertThat(s.wildcard()).isFalse();
        assertThat(s.names()).isEmpty();
    }

    @Test
    void deltaExampleSequenceFromTheProtocolDocument() {
        Subscription s = new Subscription();
        Set<String> unsubscribed = new HashSet<>();

        assertThat(s.update(List.of(), List.of(), true, unsubscribed, SAME)).containsExactly("*");
        assertThat(s.update(List.of("A"), List.of(), false, unsubscribed, SAME)).containsExactly("A");
        assertThat(s.wildcard()).isTrue();

        s.update(List.of(), List.of("*"), false, unsubscribed, SAME);
        assertThat(s.wildcard()).isFalse();
        assertThat(s.covers("A")).isTrue();

        s.update(List.of(), List.of("A"), false, unsubscribed, SAME);
        assertThat(unsubscribed).containsExactly("A");
        assertThat(s.covers("A")).isFalse();
        assertThat(s.wildcard()).isFalse();
    }

    @Test
    void firstDeltaRequestNamingResourcesIsNotAWildcard() {
        Subscription s = new Subscription();

        assertThat(s.update(List.of("a", "b"), List.of(), true, new HashSet<>(), SAME)).containsExactly("a", "b");
        assertThat(s.wildcard()).isFalse();
    }

    @Test
    void namesKeepTheSharedInstanceAcrossTheRequestsThatResendThem() {
        String canonical = "outbound|9080||reviews.default.svc.cluster.local";
        UnaryOperator<String> shared = n -> n.equals(canonical) ? canonical : n;
        Subscription sotw = new Subscription();

        // Each state-of-the-world ACK resends the list: a new String per name, parsed from the request.
        sotw.replace(List.of(new String(canonical), "b"), shared);
        assertThat(sotw.names()).anySatisfy(n -> assertThat(n).isSameAs(canonical));
        assertThat(sotw.replace(List.of(new String(canonical), new String("b")), n -> {
            throw new AssertionError("only new names are looked up: " + n);
        })).isEmpty();
        assertThat(sotw.names()).anySatisfy(n -> assertThat(n).isSameAs(canonical)).hasSize(2);

        Subscription delta = new Subscription();
        delta.update(List.of(new String(canonical)), List.of(), true, new HashSet<>(), shared);
        delta.update(List.of(new String(canonical)), List.of(), false, new HashSet<>(), shared);
        assertThat(delta.names()).singleElement().isSameAs(canonical);
    }
}
