/**
 * The {@code meshfed} launcher: one picocli command per role and tool. Each subcommand is a thin adapter over the
 * module that owns the capability; a capability not built yet answers through {@link io.meshfed.launcher.NotBuiltYet}.
 */
package io.meshfed.launcher;
