/** L4 forwarding: Envoy's tcp_proxy (connect, replay, splice) and the backpressured relay it installs. */
package io.meshfed.gateway.eastwest.tcp;
