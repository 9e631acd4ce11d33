package io.meshfed.federation.catalog;

/** A catalog key with the version stored under it: what anti-entropy compares without moving values. */
record VersionedKey(EntryKey key, long epoch, long revision) {
}
