/**
 * The translator's service registry: every host the mesh can route to (this cluster's Kubernetes Services, other
 * clusters' exported services, ServiceEntry hosts), their ports and protocols, and their endpoints in every cluster.
 * Internal to the translator: public only for its sibling packages, may change freely.
 */
package io.meshfed.control.plane.translate.model;
