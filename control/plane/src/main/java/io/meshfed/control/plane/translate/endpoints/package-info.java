/**
 * EDS: {@code ClusterLoadAssignment}s from the registry's endpoints in every cluster, with localities, failover
 * priorities, split-horizon gateway endpoints and Istio metadata (docs/xds-profile.md, "Endpoints"). Internal to the
 * translator: public only for its sibling packages, may change freely.
 */
package io.meshfed.control.plane.translate.endpoints;
