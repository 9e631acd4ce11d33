/**
 * Downstream connection handling both gateway roles share: {@link io.meshfed.control.client.connection.DelayedClose},
 * the staged close of a connection after its last response.
 */
package io.meshfed.control.client.connection;
