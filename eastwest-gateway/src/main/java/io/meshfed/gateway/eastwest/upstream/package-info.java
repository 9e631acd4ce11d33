/**
 * Upstream clusters at run time: host choice (priorities, load-balancing policies, panic mode), outlier detection,
 * circuit breakers, and connecting to a host (with TLS origination and retries on other hosts).
 */
package io.meshfed.gateway.eastwest.upstream;
