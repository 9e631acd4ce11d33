package io.meshfed.control.plane.xds;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

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
     * Applies a state-of-the-world request's full name list.
     *
     * @return the names newly subscribed (the wildcard included as "*"), empty if none
     */
    Set<String> replace(Collection<String> requested) {
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
        for (String n : wanted) {
            if (!names.contains(n)) {
                added.add(n);
            }
        }
        names.clear();
        names.addAll(wanted);
        return added;
    }

    /**
     * Applies an incremental request's changes.
     *
     * @param first whether this is the stream's first request for the type (the legacy wildcard applies)
     * @return the names newly subscribed (the wildcard included as "*"), empty if none
     */
    Set<String> update(Collection<String> subscribe, Collection<String> unsubscribe, boolean first,
            Set<String> unsubscribedOut) {
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
                names.add(n);
                added.add(n);
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
