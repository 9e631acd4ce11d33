/**
 * The network RBAC filter (PeerAuthentication + AuthorizationPolicy as Istio compiles them for TCP): the policy
 * model and its evaluation against a verified peer.
 */
package io.meshfed.gateway.eastwest.rbac;
