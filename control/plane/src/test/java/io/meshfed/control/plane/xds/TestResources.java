package io.meshfed.control.plane.xds;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.meshfed.control.client.xds.GatewayRole;
import io.meshfed.control.client.xds.NodeIdentity;
import java.util.Map;

/** Hand-built xDS resources for the tests (translation from Istio config is another work item). */
final class TestResources {
    private TestResources() {
    }

    static Node node(String pod, String clusterId, GatewayRole role) {
        return NodeIdentity.builder().ip("10.0.0.1").podName(pod).namespace("istio-system").clusterId(clusterId)
                .network("net-" + clusterId).role(role).meshId("mesh1").build().toNode();
    }

    static ConfigSource ads() {
        return ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();
    }

    static Cluster edsCluster(String name) {
        return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ads()))
                .setLbPolicy(Cluster.LbPolicy.ROUND_ROBIN).build();
    }

    static ClusterLoadAssignment endpoints(String cluster, int port, String... ips) {
        // grpc-java ignores localities without a weight (gRFC A27), as Envoy does with locality-weighted LB.
        LocalityLbEndpoints.Builder locality = LocalityLbEndpoints.newBuilder()
                .setLocality(io.envoyproxy.envoy.config.core.v3.Locality.newBuilder().setRegion(cluster))
                .setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(1));
        for (String ip : ips) {
            locality.addLbEndpoints(LbEndpoint.newBuilder().setEndpoint(Endpoint.newBuilder().setAddress(
                    Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip)
                            .setPortValue(port)))));
        }
        return ClusterLoadAssignment.newBuilder().setClusterName(cluster).addEndpoints(locality).build();
    }

    /** A proxyless-gRPC style listener: an API listener whose HTTP connection manager takes its routes by RDS. */
    static Listener apiListener(String name, String routeName) {
        HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
                .setRds(Rds.newBuilder().setConfigSource(ads()).setRouteConfigName(routeName))
                .addHttpFilters(HttpFilter.newBuilder().setName("envoy.filters.http.router")
                        .setTypedConfig(Any.pack(Router.getDefaultInstance())))
                .build();
        return Listener.newBuilder().setName(name)
                .setApiListener(ApiListener.newBuilder().setApiListener(Any.pack(hcm))).build();
    }

    /** One virtual host for {@code domain} splitting all traffic across clusters by weight. */
    static RouteConfiguration weightedRoute(String name, String domain, Map<String, Integer> weights) {
        WeightedCluster.Builder split = WeightedCluster.newBuilder();
        weights.forEach((cluster, weight) -> split.addClusters(WeightedCluster.ClusterWeight.newBuilder()
                .setName(cluster).setWeight(com.google.protobuf.UInt32Value.of(weight))));
        return RouteConfiguration.newBuilder().setName(name)
                .addVirtualHosts(VirtualHost.newBuilder().setName(name + "-vh").addDomains(domain)
                        .addRoutes(Route.newBuilder().setMatch(RouteMatch.newBuilder().setPrefix(""))
                                .setRoute(RouteAction.newBuilder().setWeightedClusters(split))))
                .build();
    }
}
