package io.meshfed.control.plane.xds;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What one stream subscribed to for one type: the wildcard and explicit names, with the legacy rule of the xDS
 * protocol ("How the client specifies what resources to return"): a client that never named a resource for a type
 * is subscribed to the wildcard; once it named one, an empty list means nothing.
 */
final class Subscription {
    static final String WILDCARD = "*";

    private boolean wildcard;
    private boolean everNamed;
    private final Set<String> names = new HashSet<>();

    boolean wildcard() {
        return wildcard;
    }

    Set<String> names() {
        return names;
    }

    boolean covers(String name) {
        return wildcard || names.contains(name);
    }

    /**
     * Applies a state-of-the-world request's full name list (resent with every ACK).
     *
     * @param shared the instance to keep of a newly subscribed name (names already held keep theirs)
     * @return the names newly subscribed (the wildcard included as "*"), empty if none
     */
    Set<String> replace(Collection<String> requested, UnaryOperator<String> shared) {
        Set<String> added = new LinkedHashSet<>();
        boolean wantWildcard;
        Set<String> wanted = new HashSet<>(requested);
        if (requested.isEmpty() && !everNamed) {
            wantWildcard = true;
        } else {
            everNamed = true;
            wantWildcard = wanted.remove(WILDCARD);
        }
        if (wantWildcard && !wildcard) {
            added.add(WILDCARD);
        }
        wildcard = wantWildcard;
        names.retainAll(wanted);
        for (String n : wanted) {
            if (!names.contains(n)) {
                String kept = shared.apply(n);
                names.add(kept);
                added.add(kept);
            }
        }
        return added;
    }

    /**
     * Applies an incremental request's changes.
     *
     * @param first whether this is the stream's first request for the type (the legacy wildcard applies)
     * @param shared the instance to keep of a subscribed name
     * @return the names newly subscribed (the wildcard included as "*"), empty if none
     */
    Set<String> update(Collection<String> subscribe, Collection<String> unsubscribe, boolean first,
            Set<String> unsubscribedOut, UnaryOperator<String> shared) {
        Set<String> added = new LinkedHashSet<>();
        if (first && subscribe.isEmpty() && unsubscribe.isEmpty() && !everNamed) {
            wildcard = true;
            added.add(WILDCARD);
        }
        for (String n : subscribe) {
            everNamed = true;
            if (WILDCARD.equals(n)) {
                if (!wildcard) {
                    added.add(WILDCARD);
                }
                wildcard = true;
            } else {
                // Re-subscribing to a name the server thinks the client has still gets it resent (xDS protocol,
                // "Subscribing to Resources"): the client may have forgotten it.
                String kept = shared.apply(n);
                names.remove(kept);
                names.add(kept);
                added.add(kept);
            }
        }
        for (String n : unsubscribe) {
            everNamed = true;
            if (WILDCARD.equals(n)) {
                wildcard = false;
            } else if (names.remove(n)) {
                unsubscribedOut.add(n);
            }
        }
        return added;
    }
}
