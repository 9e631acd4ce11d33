/**
 * Load balancing: priority and locality selection over a cluster's host view, then ROUND_ROBIN, LEAST_REQUEST,
 * RANDOM, RING_HASH or MAGLEV. Internal to the engine; may change freely.
 */
package io.meshfed.gateway.l7.balancing;
