/**
 * RDS: VirtualService HTTP rules as Envoy routes (match, weighted destinations, redirect, rewrite, timeout, retries,
 * fault, mirror, headers, CORS, consistent-hash policies) in the dialect each consumer reads (docs/xds-profile.md,
 * "Routes"). Internal to the translator: public only for its sibling packages, may change freely.
 */
package io.meshfed.control.plane.translate.routes;
