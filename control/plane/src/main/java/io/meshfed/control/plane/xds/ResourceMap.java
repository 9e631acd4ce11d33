package io.meshfed.control.plane.xds;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The resources of one type in a {@link Snapshot}: an immutable map by name, sorted, held in chunks of a few dozen
 * resources. A map derived with a few changes ({@link #with}) shares every chunk they do not touch, so one endpoint
 * change among tens of thousands of load assignments copies one chunk and the chunk index, not the whole map; and
 * {@link #changedNames} skips the chunks two maps share.
 *
 * <p>Read-only through the {@link SortedMap} interface; {@code subMap}, {@code headMap} and {@code tailMap} return
 * copies (nothing on the serving path needs them).
 */
final class ResourceMap extends AbstractMap<String, VersionedResource>
        implements SortedMap<String, VersionedResource> {

    /** Resources per chunk when a map is built; edits let a chunk grow to twice that before it is split. */
    static final int CHUNK = 64;
    static final ResourceMap EMPTY = new ResourceMap(new VersionedResource[0][], 0);

    /** Non-empty chunks, each sorted by name; every name of a chunk is below every name of the next. */
    private final VersionedResource[][] chunks;
    private final int size;

    private ResourceMap(VersionedResource[][] chunks, int size) {
        this.chunks = chunks;
        this.size = size;
    }

    /**
     * The resources of {@code byName}, which must be keyed by the resources' names in natural order; a name mapped to
     * null is left out.
     */
    static ResourceMap of(SortedMap<String, VersionedResource> byName) {
        if (byName instanceof ResourceMap map) {
            return map;
        }
        requireNaturalOrder(byName);
        List<VersionedResource[]> chunks = new ArrayList<>(byName.size() / CHUNK + 1);
        VersionedResource[] chunk = new VersionedResource[CHUNK];
        int i = 0;
        int size = 0;
        for (VersionedResource resource : byName.values()) {
            if (resource == null) {
                continue;
            }
            chunk[i++] = resource;
            size++;
            if (i == CHUNK) {
                chunks.add(chunk);
                chunk = new VersionedResource[CHUNK];
                i = 0;
            }
        }
        if (i > 0) {
            chunks.add(Arrays.copyOf(chunk, i));
        }
        return new ResourceMap(chunks.toArray(new VersionedResource[0][]), size);
    }

    /**
     * This map with {@code edits} applied: a name mapped to a resource is added or replaced, a name mapped to null
     * is removed (absent names are ignored). Chunks without an edit are shared with this map; a chunk that edits
     * shrink below a quarter of {@link #CHUNK} is merged with the one before it, so removals do not leave a trail of
     * tiny chunks.
     *
     * @throws IllegalArgumentException if {@code edits} is not in the names' natural order
     */
    ResourceMap with(SortedMap<String, VersionedResource> edits) {
        requireNaturalOrder(edits);
        if (edits.isEmpty()) {
            return this;
        }
        if (chunks.length == 0) {
            return of(edits);
        }
        List<VersionedResource[]> out = new ArrayList<>(chunks.length + edits.size() / CHUNK + 1);
        Iterator<Map.Entry<String, VersionedResource>> pending = edits.entrySet().iterator();
        Map.Entry<String, VersionedResource> edit = pending.next();
        // The chunks before the first edited one are taken as they are, without comparing names.
        int first = chunkOf(edit.getKey());
        out.addAll(Arrays.asList(chunks).subList(0, first));
        int newSize = size;
        int c = first;
        for (; c < chunks.length && edit != null; c++) {
            VersionedResource[] chunk = chunks[c];
            // The edits of this chunk: names below the next chunk's first name (the last chunk takes the rest).
            String next = c + 1 < chunks.length ? chunks[c + 1][0].name() : null;
            if (next != null && edit.getKey().compareTo(next) >= 0) {
                out.add(chunk);
                continue;
            }
            List<VersionedResource> merged = new ArrayList<>(chunk.length + 4);
            int i = 0;
            while (edit != null && (next == null || edit.getKey().compareTo(next) < 0)) {
                while (i < chunk.length && chunk[i].name().compareTo(edit.getKey()) < 0) {
                    merged.add(chunk[i++]);
                }
                if (i < chunk.length && chunk[i].name().equals(edit.getKey())) {
                    i++;
                    newSize--;
                }
                if (edit.getValue() != null) {
                    merged.add(edit.getValue());
                    newSize++;
                }
                edit = pending.hasNext() ? pending.next() : null;
            }
            while (i < chunk.length) {
                merged.add(chunk[i++]);
            }
            addChunks(merged, out);
        }
        out.addAll(Arrays.asList(chunks).subList(c, chunks.length));
        return new ResourceMap(out.toArray(new VersionedResource[0][]), newSize);
    }

    /**
     * Adds {@code merged} to {@code out}: as one chunk; merged with the chunk before it when below a quarter of
     * {@link #CHUNK}; cut into chunks of {@link #CHUNK} when past twice that; nothing when empty.
     */
    private static void addChunks(List<VersionedResource> merged, List<VersionedResource[]> out) {
        if (merged.isEmpty()) {
            return;
        }
        if (merged.size() < CHUNK / 4 && !out.isEmpty()
                && out.get(out.size() - 1).length + merged.size() <= 2 * CHUNK) {
            List<VersionedResource> joined = new ArrayList<>(Arrays.asList(out.remove(out.size() - 1)));
            joined.addAll(merged);
            merged = joined;
        }
        if (merged.size() <= 2 * CHUNK) {
            out.add(merged.toArray(new VersionedResource[0]));
            return;
        }
        for (int from = 0; from < merged.size(); from += CHUNK) {
            out.add(merged.subList(from, Math.min(merged.size(), from + CHUNK)).toArray(new VersionedResource[0]));
        }
    }

    private static void requireNaturalOrder(SortedMap<String, VersionedResource> byName) {
        if (byName.comparator() != null) {
            throw new IllegalArgumentException("resources by name: ordered by " + byName.comparator()
                    + " (expected: the names' natural order)");
        }
    }

    /** The index of the last chunk whose first name is at most {@code name} (0 when none is). */
    private int chunkOf(String name) {
        int low = 0;
        int high = chunks.length - 1;
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (chunks[mid][0].name().compareTo(name) <= 0) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /**
     * Adds to {@code names} every name added, removed or at another version from {@code before} to {@code after},
     * walking both in name order and skipping the chunks they share.
     */
    static void changedNames(ResourceMap before, ResourceMap after, Collection<String> names) {
        Cursor o = new Cursor(before);
        Cursor n = new Cursor(after);
        while (!o.done() || !n.done()) {
            if (o.atChunkStart() && n.atChunkStart() && o.chunk() == n.chunk()) {
                o.skipChunk();
                n.skipChunk();
                continue;
            }
            VersionedResource a = o.done() ? null : o.current();
            VersionedResource b = n.done() ? null : n.current();
            int order = a == null ? 1 : b == null ? -1 : a.name().compareTo(b.name());
            if (order == 0) {
                if (a != b && !a.version().equals(b.version())) {
                    names.add(b.name());
                }
                o.advance();
                n.advance();
            } else if (order < 0) {
                names.add(a.name());
                o.advance();
            } else {
                names.add(b.name());
                n.advance();
            }
        }
    }

    /** A position in a map: chunk, then index in it (the diff's walk and the views' iterators). */
    private static final class Cursor {
        private final VersionedResource[][] chunks;
        private int chunk;
        private int index;

        Cursor(ResourceMap map) {
            this.chunks = map.chunks;
        }

        boolean done() {
            return chunk == chunks.length;
        }

        boolean atChunkStart() {
            return index == 0 && !done();
        }

        VersionedResource[] chunk() {
            return chunks[chunk];
        }

        VersionedResource current() {
            return chunks[chunk][index];
        }

        void advance() {
            if (++index == chunks[chunk].length) {
                skipChunk();
            }
        }

        void skipChunk() {
            chunk++;
            index = 0;
        }
    }

    @Override
    public VersionedResource get(Object key) {
        if (!(key instanceof String name) || chunks.length == 0) {
            return null;
        }
        VersionedResource[] chunk = chunks[chunkOf(name)];
        int i = Arrays.binarySearch(chunk, name, (r, n) -> ((VersionedResource) r).name().compareTo((String) n));
        return i >= 0 ? chunk[i] : null;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public Comparator<? super String> comparator() {
        return null;
    }

    @Override
    public String firstKey() {
        if (size == 0) {
            throw new NoSuchElementException("no resources");
        }
        return chunks[0][0].name();
    }

    @Override
    public String lastKey() {
        if (size == 0) {
            throw new NoSuchElementException("no resources");
        }
        VersionedResource[] last = chunks[chunks.length - 1];
        return last[last.length - 1].name();
    }

    @Override
    public SortedMap<String, VersionedResource> subMap(String fromKey, String toKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).subMap(fromKey, toKey));
    }

    @Override
    public SortedMap<String, VersionedResource> headMap(String toKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).headMap(toKey));
    }

    @Override
    public SortedMap<String, VersionedResource> tailMap(String fromKey) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(this).tailMap(fromKey));
    }

    @Override
    public Set<String> keySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public boolean contains(Object name) {
                return containsKey(name);
            }

            @Override
            public Iterator<String> iterator() {
                return inOrder(VersionedResource::name);
            }
        };
    }

    @Override
    public Collection<VersionedResource> values() {
        return new AbstractCollection<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<VersionedResource> iterator() {
                return inOrder(r -> r);
            }
        };
    }

    @Override
    public Set<Map.Entry<String, VersionedResource>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<Map.Entry<String, VersionedResource>> iterator() {
                return inOrder(r -> new SimpleImmutableEntry<>(r.name(), r));
            }
        };
    }

    /** The resources in name order, each shown as {@code show} makes it; read-only. */
    private <T> Iterator<T> inOrder(Function<VersionedResource, T> show) {
        Cursor at = new Cursor(this);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return !at.done();
            }

            @Override
            public T next() {
                if (at.done()) {
                    throw new NoSuchElementException();
                }
                VersionedResource resource = at.current();
                at.advance();
                return show.apply(resource);
            }
        };
    }
}
