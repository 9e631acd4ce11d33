/**
 * The L7 proxy engine behind the ingress and egress gateway roles, driven by xDS.
 */
package io.meshfed.gateway.l7;
