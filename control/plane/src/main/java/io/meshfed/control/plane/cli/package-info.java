/**
 * The operator commands of the control plane as picocli commands; the {@code meshfed} launcher in deploy/ wires
 * them in. They are thin: parsing arguments, reading inputs, printing; the work is in the library packages.
 */
package io.meshfed.control.plane.cli;
