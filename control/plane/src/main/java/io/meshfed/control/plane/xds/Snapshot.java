package io.meshfed.control.plane.xds;

import com.google.protobuf.Any;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import io.meshfed.control.client.xds.XdsResourceType;
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
        // Types are copied on their first change only: a derived snapshot shares the untouched types (resources and
        // version) with this one, so one change among tens of thousands of resources costs that type's copy alone.
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
        /** The snapshot this builder derives from (types not yet copied are read from it), or empty. */
        private final Map<XdsResourceType, TypeResources> base;

        private Builder() {
            this(Map.of());
        }

        private Builder(Map<XdsResourceType, TypeResources> base) {
            this.base = base;
            if (base.isEmpty()) {
                for (XdsResourceType type : XdsResourceType.values()) {
                    resources.put(type, new TreeMap<>());
                }
            }
        }

        /** The resources of a type, copied from the base snapshot on first use. */
        private SortedMap<String, VersionedResource> own(XdsResourceType type) {
            return resources.computeIfAbsent(type, t -> new TreeMap<>(base.get(t).resources()));
        }

        /**
         * Adds a resource of the given type.
         *
         * @throws IllegalArgumentException if the message is not of that type, has no name, or the name is taken
         */
        public Builder add(XdsResourceType type, Message resource) {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(resource, "resource");
            String typeUrl = "type.googleapis.com/" + resource.getDescriptorForType().getFullName();
            if (!typeUrl.equals(type.typeUrl())) {
                throw new IllegalArgumentException("resource: " + typeUrl + " (expected: "
                        + type.typeUrl() + " for " + type.shortName() + ")");
            }
            String name = type.nameOf(resource);
            if (name.isEmpty()) {
                throw new IllegalArgumentException(type.shortName() + " resource name: (empty) (expected: a name; "
                        + "for EDS the cluster_name)");
            }
            // Serialised once, deterministically: the same bytes are served and digested.
            byte[] bytes = serialize(resource);
            Any any = Any.newBuilder().setTypeUrl(typeUrl).setValue(UnsafeByteOperations.unsafeWrap(bytes)).build();
            VersionedResource previous = own(type).putIfAbsent(name, new VersionedResource(name, digest(bytes), any));
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
            own(type).remove(type.nameOf(resource));
            return add(type, resource);
        }

        /** Removes a resource by name; absent names are ignored. */
        public Builder remove(XdsResourceType type, String name) {
            Objects.requireNonNull(type, "type");
            if (resources.containsKey(type) || base.get(type).resources().containsKey(name)) {
                own(type).remove(name);
            }
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
                if (byName == null && !versions.containsKey(type)) {
                    types.put(type, base.get(type)); // untouched since toBuilder(): shared as it was
                    continue;
                }
                if (byName == null) {
                    byName = base.get(type).resources();
                }
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

        private static String digest(byte[] bytes) {
            return HEX.formatHex(sha256().digest(bytes), 0, 8);
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
