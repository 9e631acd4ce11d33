/**
 * Clusters and endpoints compiled from CDS/EDS and their live state: hosts by priority and locality, circuit
 * breakers, outlier detection, DNS resolution. Internal to the engine; may change freely.
 */
package io.meshfed.gateway.l7.cluster;
