/** Per-downstream-connection state shared by the handlers of one connection: its record and its end. */
package io.meshfed.gateway.eastwest.connection;
