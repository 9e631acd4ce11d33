/**
 * {@code meshfed demo}: a federation of clusters on one machine (loopback subnets, a local CA, in-process
 * control planes federated over the SPIFFE mTLS relay, east-west and ingress gateways, sample backends), with the
 * Istio YAML it generates and the {@code demo.json} it writes. Entry point: {@link io.meshfed.demo.Demo}; the
 * launcher's {@code DemoCommand} is a thin adapter. docs/demo.md describes what runs where.
 */
package io.meshfed.demo;
