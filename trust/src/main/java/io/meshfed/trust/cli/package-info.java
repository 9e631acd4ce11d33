/**
 * {@code meshfed ca init|issue|inspect}: picocli commands over the local CA, wired into the launcher by
 * {@code io.meshfed.launcher.Meshfed}. Entry point: {@link io.meshfed.trust.cli.CaCommand}.
 */
package io.meshfed.trust.cli;
