/**
 * CDS: clusters per service port and subset with the DestinationRule's traffic policy (load balancing, connection
 * pool, outlier detection, TLS) and Istio's mTLS transport sockets (docs/xds-profile.md, "Clusters"). Internal to the
 * translator: public only for its sibling packages, may change freely.
 */
package io.meshfed.control.plane.translate.clusters;
