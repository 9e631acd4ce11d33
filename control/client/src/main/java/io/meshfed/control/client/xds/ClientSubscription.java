package io.meshfed.control.client.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscribed type on the client: what it asks for, its consumer, and the last good set. Survives reconnects
 * (the stream-specific state, nonces, lives in the exchange). Owned by the client's context.
 */
final class ClientSubscription {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSubscription.class);

    final XdsResourceType type;
    private final AsyncResourceConsumer consumer;
    /** Explicit names; empty means the wildcard. */
    private Set<String> names;
    private String acceptedVersion = "";
    /** The last good set; mutated in place (an update is applied, offered, and undone if rejected). */
    private final Map<String, XdsResource> accepted = new LinkedHashMap<>();
    private final Map<String, XdsResource> acceptedView = Collections.unmodifiableMap(accepted);
    private Instant acceptedAt;
    private TypeState.Rejection lastRejection;

    ClientSubscription(XdsResourceType type, Set<String> names, AsyncResourceConsumer consumer) {
        this.type = type;
        this.names = Set.copyOf(names);
        this.consumer = consumer;
    }

    boolean wildcard() {
        return names.isEmpty();
    }

    Set<String> names() {
        return names;
    }

    void names(Set<String> next) {
        this.names = Set.copyOf(next);
    }

    String acceptedVersion() {
        return acceptedVersion;
    }

    /** A read-only view of the last good set (changes with later updates). */
    Map<String, XdsResource> accepted() {
        return acceptedView;
    }

    /** Resource versions for {@code initial_resource_versions} on a delta reconnect. */
    Map<String, String> acceptedResourceVersions() {
        Map<String, String> versions = new TreeMap<>();
        accepted.values().forEach(r -> versions.put(r.name(), r.version()));
        return versions;
    }

    /**
     * Unpacks a resource of this type, or explains why it cannot.
     *
     * @return the resource, or null with the reason appended to {@code errors}
     */
    XdsResource unpack(Any any, String version, int index, StringBuilder errors) {
        try {
            Message m = type.unpack(any);
            return new XdsResource(type.nameOf(m), version, m);
        } catch (InvalidProtocolBufferException e) {
            append(errors, type.shortName() + " resources[" + index + "]: " + e.getMessage());
            return null;
        }
    }

    static void append(StringBuilder errors, String message) {
        if (errors.length() > 0) {
            errors.append("; ");
        }
        errors.append(message);
    }

    /**
     * Offers a complete set (state of the world) to the consumer; on accept it becomes the last good set.
     *
     * @return the verdict, completed on {@code context}; a consumer that throws or fails rejects with the message
     */
    Future<Verdict> offerAll(Context context, String version, Map<String, XdsResource> candidate) {
        Map<String, XdsResource> upserts = new LinkedHashMap<>();
        for (XdsResource r : candidate.values()) {
            XdsResource old = accepted.get(r.name());
            // Compared by content: a SotW version_info changes for every resource of the response.
            if (old == null || !old.resource().equals(r.resource())) {
                upserts.put(r.name(), r);
            }
        }
        Set<String> removals = new LinkedHashSet<>();
        for (String n : accepted.keySet()) {
            if (!candidate.containsKey(n)) {
                removals.add(n);
            }
        }
        Map<String, XdsResource> unchangedButRestamped = new LinkedHashMap<>();
        for (XdsResource r : candidate.values()) {
            if (!upserts.containsKey(r.name())) {
                unchangedButRestamped.put(r.name(), r);
            }
        }
        return offer(context, version, upserts, removals, unchangedButRestamped);
    }

    /**
     * Offers changes (delta) to the consumer: the candidate set is the last good set with {@code upserts} applied and
     * {@code removals} removed. Applied in place and undone on rejection, so a large set is not copied per update.
     */
    Future<Verdict> offerChanges(Context context, String version, Map<String, XdsResource> upserts,
            Set<String> removals) {
        return offer(context, version, upserts, removals, Map.of());
    }

    /**
     * Applies the update in place, asks the consumer, and undoes it if rejected. The exchange offers one update at a
     * time, so the set stays as offered until the verdict arrives.
     */
    private Future<Verdict> offer(Context context, String version, Map<String, XdsResource> upserts,
            Set<String> removals, Map<String, XdsResource> restamps) {
        Map<String, XdsResource> undo = new LinkedHashMap<>();
        Set<String> updated = new LinkedHashSet<>();
        Set<String> removed = new LinkedHashSet<>();
        for (XdsResource r : upserts.values()) {
            XdsResource old = accepted.put(r.name(), r);
            undo.putIfAbsent(r.name(), old);
            if (old == null || !old.resource().equals(r.resource())) {
                updated.add(r.name());
            }
        }
        for (String n : removals) {
            if (accepted.containsKey(n)) {
                undo.putIfAbsent(n, accepted.remove(n));
                removed.add(n);
            }
        }
        for (XdsResource r : restamps.values()) {
            undo.putIfAbsent(r.name(), accepted.put(r.name(), r));
        }
        Future<Verdict> asked;
        try {
            asked = consumer.accept(new ResourceUpdate(type, version, acceptedView,
                    Collections.unmodifiableSet(updated), Collections.unmodifiableSet(removed)));
        } catch (RuntimeException e) {
            asked = Future.failedFuture(e);
        }
        Promise<Verdict> decided = Promise.promise();
        asked.onComplete(result -> context.runOnContext(v -> {
            Verdict verdict;
            if (result.succeeded() && result.result() != null) {
                verdict = result.result();
            } else {
                Throwable cause = result.succeeded() ? new IllegalStateException("null verdict") : result.cause();
                LOG.warn("{} consumer failed on version {}", type.shortName(), version, cause);
                verdict = Verdict.reject(type.shortName() + " consumer failed: " + cause);
            }
            settle(version, verdict, undo);
            decided.complete(verdict);
        }));
        return decided.future();
    }

    private void settle(String version, Verdict verdict, Map<String, XdsResource> undo) {
        if (verdict.accepted()) {
            acceptedVersion = version;
            acceptedAt = Instant.now();
        } else {
            undo.forEach((name, old) -> {
                if (old == null) {
                    accepted.remove(name);
                } else {
                    accepted.put(name, old);
                }
            });
            reject(version, verdict.error());
        }
    }

    void reject(String version, String reason) {
        lastRejection = new TypeState.Rejection(version, reason, Instant.now());
        LOG.warn("Rejected {} version {}: {} (keeping version {})", type.shortName(), version, reason,
                acceptedVersion.isEmpty() ? "(none)" : acceptedVersion);
    }

    TypeState state() {
        return new TypeState(type, acceptedVersion, Collections.unmodifiableMap(new LinkedHashMap<>(accepted)),
                Optional.ofNullable(acceptedAt),
                Optional.ofNullable(lastRejection));
    }
}
