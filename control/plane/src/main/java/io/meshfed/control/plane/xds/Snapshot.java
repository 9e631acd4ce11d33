package io.meshfed.control.plane.xds;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.meshfed.control.client.xds.XdsResourceType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The immutable set of xDS resources served to one gateway group: per type, the resources by name with their
 * versions, and a type version ({@code version_info} in state-of-the-world responses).
 *
 * <p>Versions are content digests unless given explicitly, so an unchanged resource keeps its version across
 * snapshots and across control-plane restarts. A new configuration is a new snapshot, swapped atomically in the
 * {@link SnapshotCache}.
 */
public final class Snapshot {
    private static final HexFormat HEX = HexFormat.of();
    /** Each type's URL as bytes, for the resources' Anys ({@link TypedAny}). */
    private static final Map<XdsResourceType, ByteString> TYPE_URLS = typeUrls();

    private final Map<XdsResourceType, TypeResources> types;

    private static Map<XdsResourceType, ByteString> typeUrls() {
        Map<XdsResourceType, ByteString> urls = new EnumMap<>(XdsResourceType.class);
        for (XdsResourceType type : XdsResourceType.values()) {
            urls.put(type, TypedAny.typeUrl(type.typeUrl()));
        }
        return Collections.unmodifiableMap(urls);
    }

    private Snapshot(Map<XdsResourceType, TypeResources> types) {
        this.types = types;
    }

    /** A snapshot with no resources of any type (every type at version {@code empty}). */
    public static Snapshot empty() {
        return builder().build();
    }

    /** A builder; each call validates its argument. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this snapshot's resources, to derive the next snapshot by changing a few: unchanged
     * resources keep their packed form and digests (explicit type versions are not carried over).
     */
    public Builder toBuilder() {
        // A derived snapshot shares the untouched types (resources and version) with this one, and within a changed
        // type the chunks no change touched (ResourceMap): one change among tens of thousands of resources costs
        // about a chunk.
        return new Builder(types);
    }

    /** The resources of a type, sorted by name; empty if none. */
    public SortedMap<String, VersionedResource> resources(XdsResourceType type) {
        return types.get(type).resources();
    }

    /** The version of a type: {@code version_info} of state-of-the-world responses. */
    public String version(XdsResourceType type) {
        return types.get(type).version();
    }

    /** The resources of a type as the snapshot holds them (for diffs that skip what two snapshots share). */
    ResourceMap resourceMap(XdsResourceType type) {
        return types.get(type).resources();
    }

    /** One resource by name, or null. */
    VersionedResource resource(XdsResourceType type, String name) {
        return types.get(type).resources().get(name);
    }

    /**
     * This snapshot's own instance of a resource name, or {@code name} itself when it holds no such resource: what
     * keeps many holders of a name (streams, clients) from each keeping a copy parsed from the wire.
     */
    public String sharedName(XdsResourceType type, String name) {
        VersionedResource resource = resource(type, name);
        return resource == null ? name : resource.name();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("Snapshot{");
        for (XdsResourceType type : XdsResourceType.pushOrder()) {
            TypeResources t = types.get(type);
            out.append(type.shortName()).append('=').append(t.resources().size()).append('@').append(t.version())
                    .append(type == XdsResourceType.SECRET ? "" : ", ");
        }
        return out.append('}').toString();
    }

    /**
     * @param digest the sum of the resources' {@link #contribution}s: a digest of the type's content that one change
     *     updates by adding and subtracting, instead of reading every resource again
     */
    record TypeResources(String version, ResourceMap resources, long digest) {
    }

    /**
     * A type being changed by a builder: the resources it started from (shared, never changed) and the changes so
     * far, by name (null: removed), so that a few changes to a type of tens of thousands cost those changes, not a
     * copy of the type.
     */
    private static final class Draft {
        private final ResourceMap base;
        private final TreeMap<String, VersionedResource> edits = new TreeMap<>();
        private long digest;

        Draft(ResourceMap base, long digest) {
            this.base = base;
            this.digest = digest;
        }

        VersionedResource get(String name) {
            VersionedResource edited = edits.get(name);
            // A null edit is a removal: the base's resource is gone.
            return edited != null || base.isEmpty() || edits.containsKey(name) ? edited : base.get(name);
        }

        /** Nothing to start from and nothing changed yet. */
        boolean blank() {
            return base.isEmpty() && edits.isEmpty();
        }

        ResourceMap build() {
            return base.with(edits);
        }
    }

    /** Collects resources; {@link #build()} computes the versions not given explicitly. */
    public static final class Builder {
        /** The types changed since the builder was made or last built. */
        private final Map<XdsResourceType, Draft> drafts = new EnumMap<>(XdsResourceType.class);
        private final Map<XdsResourceType, String> versions = new EnumMap<>(XdsResourceType.class);
        /** The snapshot this builder derives from (types without a draft are read from it), or empty. */
        private Map<XdsResourceType, TypeResources> base;

        private Builder() {
            this(Map.of());
        }

        private Builder(Map<XdsResourceType, TypeResources> base) {
            this.base = base;
            if (base.isEmpty()) {
                for (XdsResourceType type : XdsResourceType.values()) {
                    drafts.put(type, new Draft(ResourceMap.EMPTY, 0));
                }
            }
        }

        /** The draft of a type, started from the base snapshot's resources on first use. */
        private Draft draft(XdsResourceType type) {
            Draft draft = drafts.get(type);
            if (draft == null) {
                TypeResources from = base.get(type);
                draft = new Draft(from.resources(), from.digest());
                drafts.put(type, draft);
            }
            return draft;
        }

        /** Removes a resource from a type, keeping its digest. */
        private void removeFromDraft(XdsResourceType type, String name) {
            Draft draft = draft(type);
            VersionedResource removed = draft.get(name);
            if (removed != null) {
                draft.edits.put(name, null);
                draft.digest -= contribution(removed);
            }
        }

        /**
         * Adds a resource of the given type.
         *
         * @throws IllegalArgumentException if the message is not of that type, has no name, or the name is taken
         */
        public Builder add(XdsResourceType type, Message resource) {
            return insert(type, prepare(type, resource, sha256()));
        }

        /**
         * Checks a resource and serialises it: the pure, per-resource part of {@link #add}, safe to run on any
         * thread.
         */
        private static VersionedResource prepare(XdsResourceType type, Message resource, MessageDigest sha) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(resource, "resource");
            String typeUrl = type.typeUrl();
            String fullName = resource.getDescriptorForType().getFullName();
            if (typeUrl.length() != TypedAny.TYPE_URL_PREFIX.length() + fullName.length()
                    || !typeUrl.endsWith(fullName) || !typeUrl.startsWith(TypedAny.TYPE_URL_PREFIX)) {
                throw new IllegalArgumentException("resource: " + TypedAny.TYPE_URL_PREFIX + fullName + " (expected: "
                        + typeUrl + " for " + type.shortName() + ")");
            }
            String name = type.nameOf(resource);
            // Serialised once, deterministically: the same bytes are served and digested.
            return packed(type, name, serialize(resource), sha);
        }

        /** A resource from its name and its (deterministic) serialised bytes; the bytes are not copied. */
        private static VersionedResource packed(XdsResourceType type, String name, byte[] bytes, MessageDigest sha) {
            if (name.isEmpty()) {
                throw new IllegalArgumentException(type.shortName() + " resource name: (empty) (expected: a name; "
                        + "for EDS the cluster_name)");
            }
            Any any = TypedAny.wrap(TYPE_URLS.get(type), bytes);
            return new VersionedResource(name, HEX.formatHex(sha.digest(bytes), 0, 8), any);
        }

        private Builder insert(XdsResourceType type, VersionedResource resource) {
            Draft draft = draft(type);
            if (draft.get(resource.name()) != null) {
                throw new IllegalArgumentException(type.shortName() + " resource name: " + resource.name()
                        + " (expected: unique within a snapshot; it was added twice)");
            }
            draft.edits.put(resource.name(), resource);
            draft.digest += contribution(resource);
            return this;
        }

        /** Adds a resource, replacing the one of the same name if any (for {@link Snapshot#toBuilder()}). */
        public Builder put(XdsResourceType type, Message resource) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(resource, "resource");
            removeFromDraft(type, type.nameOf(resource));
            return add(type, resource);
        }

        /** Removes a resource by name; absent names are ignored. */
        public Builder remove(XdsResourceType type, String name) {
            Objects.requireNonNull(type, "type");
            if (drafts.containsKey(type) || base.get(type).resources().containsKey(name)) {
                removeFromDraft(type, name);
            }
            return this;
        }

        /**
         * Adds several resources of one type, as {@link #add} one after the other would (same checks, same
         * versions, the first bad resource in iteration order is the one reported), except that a resource that
         * cannot be serialised fails the batch before any of it is added. Large batches are serialised
         * and digested on the common fork-join pool: that is where a full translation spends a third of its time,
         * and each resource's bytes depend on the resource alone, so the result does not depend on the threads.
         */
        public Builder addAll(XdsResourceType type, Collection<? extends Message> list) {
            for (VersionedResource resource : prepareAll(type, list)) {
                insert(type, resource);
            }
            return this;
        }

        /** Adds or replaces several resources of one type, as {@link #put} one after the other would. */
        public Builder putAll(XdsResourceType type, Collection<? extends Message> list) {
            return putAllPacked(type, prepareAll(type, list));
        }

        /**
         * Adds or replaces several resources packed beforehand by {@link Packer} or {@link #packAll} (what
         * {@link #putAll} does after packing them).
         *
         * @throws IllegalArgumentException if a resource is not of that type
         */
        public Builder putAllPacked(XdsResourceType type, Collection<VersionedResource> packed) {
            Objects.requireNonNull(type, "type");
            for (VersionedResource resource : packed) {
                if (!isOf(type, resource)) {
                    throw new IllegalArgumentException("resource " + resource.name() + ": "
                            + resource.resource().getTypeUrl() + " (expected: " + type.typeUrl() + " for "
                            + type.shortName() + ")");
                }
                removeFromDraft(type, resource.name());
                insert(type, resource);
            }
            return this;
        }

        /**
         * As {@link #putAllPacked(XdsResourceType, Collection)}, for resources by name: into a type that has none yet
         * (a new snapshot's), they are taken in name order without comparing names again.
         */
        public Builder putAllPacked(XdsResourceType type, SortedMap<String, VersionedResource> byName) {
            Objects.requireNonNull(type, "type");
            Draft draft = draft(type);
            if (!draft.blank() || byName.comparator() != null) {
                return putAllPacked(type, byName.values());
            }
            long digest = 0;
            for (Map.Entry<String, VersionedResource> e : byName.entrySet()) {
                VersionedResource resource = e.getValue();
                if (!isOf(type, resource) || !resource.name().equals(e.getKey())) {
                    return putAllPacked(type, byName.values()); // checked: a wrong type is refused
                }
                digest += contribution(resource);
            }
            // Nothing to merge with: the resources become the type's base as they are, in chunks, in one pass.
            drafts.put(type, new Draft(ResourceMap.of(byName), draft.digest + digest));
            return this;
        }

        /**
         * Packs several resources of one type as {@link #addAll} would (same checks, same versions, large batches
         * on the common fork-join pool), without adding them to a builder.
         */
        public static List<VersionedResource> packAll(XdsResourceType type, Collection<? extends Message> list) {
            return prepareAll(type, list);
        }

        private static List<VersionedResource> prepareAll(XdsResourceType type, Collection<? extends Message> list) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(list, "list");
            List<? extends Message> messages = List.copyOf(list);
            // One digest instance per chunk (getInstance costs more than a small digest); the first bad resource in
            // list order is the one thrown.
            return OrderedChunks.DEFAULT.map(messages.size(), Builder::sha256,
                    (sha, i) -> prepare(type, messages.get(i), sha));
        }

        /** Sets the type version explicitly instead of deriving it from the content. */
        public Builder version(XdsResourceType type, String version) {
            Objects.requireNonNull(type, "type");
            if (version == null || version.isEmpty()) {
                throw new IllegalArgumentException("version: " + version + " (expected: non-empty)");
            }
            versions.put(type, version);
            return this;
        }

        /**
         * The snapshot. The builder stays usable: later changes derive from this snapshot, which they leave as it
         * is.
         */
        public Snapshot build() {
            Map<XdsResourceType, TypeResources> types = new EnumMap<>(XdsResourceType.class);
            for (XdsResourceType type : XdsResourceType.values()) {
                Draft draft = drafts.get(type);
                if (draft == null && !versions.containsKey(type)) {
                    types.put(type, base.get(type)); // untouched since toBuilder(): shared as it was
                    continue;
                }
                ResourceMap resources = draft == null ? base.get(type).resources() : draft.build();
                long digest = draft == null ? base.get(type).digest() : draft.digest;
                String version = versions.getOrDefault(type, resources.isEmpty() ? "empty" : HEX.toHexDigits(digest));
                types.put(type, new TypeResources(version, resources, digest));
            }
            // The snapshot is the base of later changes: each starts a new draft from it.
            drafts.clear();
            base = types;
            return new Snapshot(types);
        }

        /**
         * What one resource adds to its type's digest: a 64-bit mix of its name and version. The type's digest is
         * the sum of these, so it does not depend on order and follows a change by one addition and one
         * subtraction; the version of 10,000 load assignments then costs one change, not a pass over all of them.
         */
        private static long contribution(VersionedResource resource) {
            return mix(fnv1a(resource.name()) * 0x9E3779B97F4A7C15L + fnv1a(resource.version()));
        }

        /** FNV-1a over the string's UTF-16 code units: stable across JVMs (the JDK has no 64-bit string hash). */
        private static long fnv1a(String s) {
            long hash = 0xCBF29CE484222325L;
            for (int i = 0; i < s.length(); i++) {
                hash ^= s.charAt(i);
                hash *= 0x100000001B3L;
            }
            return hash;
        }

        /** A 64-bit finaliser (every input bit affects every output bit), so sums of contributions do not cancel. */
        private static long mix(long h) {
            h ^= h >>> 33;
            h *= 0xFF51AFD7ED558CCDL;
            h ^= h >>> 33;
            h *= 0xC4CEB9FE1A85EC53L;
            h ^= h >>> 33;
            return h;
        }

        // Deterministic serialisation: map fields would otherwise serialise in insertion order, and the same
        // resource built twice must keep its version (delta resume compares versions across restarts).
        private static byte[] serialize(Message resource) {
            try {
                byte[] bytes = new byte[resource.getSerializedSize()];
                CodedOutputStream out = CodedOutputStream.newInstance(bytes);
                out.useDeterministicSerialization();
                resource.writeTo(out);
                out.checkNoSpaceLeft();
                return bytes;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Whether a packed resource is of {@code type}, read without turning its Any's type URL into a String. */
        private static boolean isOf(XdsResourceType type, VersionedResource resource) {
            return resource.resource().getTypeUrlBytes().equals(TYPE_URLS.get(type));
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required of every JDK", e);
            }
        }
    }

    /** The deterministic serialisation of {@code message} (map fields in key order): the bytes served and digested. */
    public static byte[] deterministicBytes(Message message) {
        return Builder.serialize(message);
    }

    /**
     * Packs single resources as {@link Builder#add} would (same checks, bytes and version), for callers that keep
     * the packed form instead of the message. One digest instance: confine a packer to one thread.
     */
    public static final class Packer {
        private final MessageDigest sha = Builder.sha256();

        /** The resource serialised deterministically, with its version. */
        public VersionedResource pack(XdsResourceType type, Message resource) {
            return Builder.prepare(type, resource, sha);
        }

        /**
         * A resource already serialised by the caller: {@code bytes} must be what the deterministic serialisation
         * of the message gives (its version and the type version digest them), and are not copied.
         */
        public VersionedResource pack(XdsResourceType type, String name, byte[] bytes) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(bytes, "bytes");
            return Builder.packed(type, name, bytes, sha);
        }
    }
}
