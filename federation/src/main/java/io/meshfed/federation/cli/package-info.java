/** The federation's command-line tools: {@code meshfed create-remote-secret}. */
package io.meshfed.federation.cli;
