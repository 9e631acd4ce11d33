package io.meshfed.control.plane.xds;

import com.google.protobuf.Any;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.meshfed.control.client.xds.XdsResourceType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
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

    private final Map<XdsResourceType, TypeResources> types;

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
        Builder b = new Builder();
        for (XdsResourceType type : XdsResourceType.values()) {
            b.resources.get(type).putAll(types.get(type).resources());
        }
        return b;
    }

    /** The resources of a type, sorted by name; empty if none. */
    public SortedMap<String, VersionedResource> resources(XdsResourceType type) {
        return types.get(type).resources();
    }

    /** The version of a type: {@code version_info} of state-of-the-world responses. */
    public String version(XdsResourceType type) {
        return types.get(type).version();
    }

    /** One resource by name, or null. */
    VersionedResource resource(XdsResourceType type, String name) {
        return types.get(type).resources().get(name);
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

    record TypeResources(String version, SortedMap<String, VersionedResource> resources) {
    }

    /** Collects resources; {@link #build()} computes the versions not given explicitly. */
    public static final class Builder {
        private final Map<XdsResourceType, SortedMap<String, VersionedResource>> resources =
                new EnumMap<>(XdsResourceType.class);
        private final Map<XdsResourceType, String> versions = new EnumMap<>(XdsResourceType.class);

        private Builder() {
            for (XdsResourceType type : XdsResourceType.values()) {
                resources.put(type, new TreeMap<>());
            }
        }

        /**
         * Adds a resource of the given type.
         *
         * @throws IllegalArgumentException if the message is not of that type, has no name, or the name is taken
         */
        public Builder add(XdsResourceType type, Message resource) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(resource, "resource");
            Any any = Any.pack(resource);
            if (!any.getTypeUrl().equals(type.typeUrl())) {
                throw new IllegalArgumentException("resource: " + any.getTypeUrl() + " (expected: "
                        + type.typeUrl() + " for " + type.shortName() + ")");
            }
            String name = type.nameOf(resource);
            if (name.isEmpty()) {
                throw new IllegalArgumentException(type.shortName() + " resource name: (empty) (expected: a name; "
                        + "for EDS the cluster_name)");
            }
            VersionedResource previous = resources.get(type).putIfAbsent(name,
                    new VersionedResource(name, digest(resource), any));
            if (previous != null) {
                throw new IllegalArgumentException(type.shortName() + " resource name: " + name
                        + " (expected: unique within a snapshot; it was added twice)");
            }
            return this;
        }

        /** Adds a resource, replacing the one of the same name if any (for {@link Snapshot#toBuilder()}). */
        public Builder put(XdsResourceType type, Message resource) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(resource, "resource");
            resources.get(type).remove(type.nameOf(resource));
            return add(type, resource);
        }

        /** Removes a resource by name; absent names are ignored. */
        public Builder remove(XdsResourceType type, String name) {
            Objects.requireNonNull(type, "type");
            resources.get(type).remove(name);
            return this;
        }

        /** Adds several resources of one type. */
        public Builder addAll(XdsResourceType type, Iterable<? extends Message> list) {
            for (Message m : list) {
                add(type, m);
            }
            return this;
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

        /** The snapshot. */
        public Snapshot build() {
            Map<XdsResourceType, TypeResources> types = new EnumMap<>(XdsResourceType.class);
            for (XdsResourceType type : XdsResourceType.values()) {
                SortedMap<String, VersionedResource> byName = resources.get(type);
                String version = versions.getOrDefault(type, typeDigest(byName));
                types.put(type, new TypeResources(version,
                        Collections.unmodifiableSortedMap(new TreeMap<>(byName))));
            }
            return new Snapshot(types);
        }

        private static String typeDigest(SortedMap<String, VersionedResource> byName) {
            if (byName.isEmpty()) {
                return "empty";
            }
            MessageDigest sha = sha256();
            for (VersionedResource r : byName.values()) {
                sha.update(r.name().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(r.version().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HEX.formatHex(sha.digest(), 0, 8);
        }

        // Deterministic serialisation: map fields would otherwise serialise in insertion order, and the same
        // resource built twice must keep its version (delta resume compares versions across restarts).
        private static String digest(Message resource) {
            try {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream(resource.getSerializedSize());
                CodedOutputStream out = CodedOutputStream.newInstance(bytes);
                out.useDeterministicSerialization();
                resource.writeTo(out);
                out.flush();
                return HEX.formatHex(sha256().digest(bytes.toByteArray()), 0, 8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is required of every JDK", e);
            }
        }
    }
}
