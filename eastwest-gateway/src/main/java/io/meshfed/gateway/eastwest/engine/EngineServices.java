package io.meshfed.gateway.eastwest.engine;

import io.meshfed.gateway.eastwest.ConnectionObserver;
import io.meshfed.gateway.eastwest.http.HttpFrontends;
import io.meshfed.gateway.eastwest.stats.Counters;
import io.meshfed.gateway.eastwest.upstream.UpstreamConnector;

/** What every connection's handlers share: connecting upstream, the HTTP forwarder, counters and the observer. */
record EngineServices(UpstreamConnector connector, HttpFrontends http, Counters counters, ConnectionObserver observer,
    int maxHelloBytes) {
}
