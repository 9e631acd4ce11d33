package io.meshfed.federation.membership;

/**
 * A member of another mesh tried to join, or this member tried to join another mesh. Both are refused; this says so.
 *
 * @param peer the other member's address or identity
 * @param detail what happened and what to check
 */
public record MeshMismatch(String peer, String detail) {
}
