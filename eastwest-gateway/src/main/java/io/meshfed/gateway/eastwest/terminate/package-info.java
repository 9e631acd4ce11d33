/** Terminate mode: deciding, after the mTLS handshake, whether the verified peer may pass. */
package io.meshfed.gateway.eastwest.terminate;
