package io.meshfed.control.client.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The xDS v3 resource types meshfed serves over ADS, in push order.
 *
 * <p>The declaration order is the order a server pushes types in one ADS update, the "make before break" sequence of
 * the xDS protocol (section "Eventual consistency considerations"): clusters first, then their endpoints, then
 * listeners, then the routes those listeners name; secrets last, as Istio does.
 */
public enum XdsResourceType {
    CLUSTER("CDS", "type.googleapis.com/envoy.config.cluster.v3.Cluster", Cluster.parser(),
            m -> ((Cluster) m).getName(), true),
    ENDPOINT("EDS", "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment",
            ClusterLoadAssignment.parser(), m -> ((ClusterLoadAssignment) m).getClusterName(), false),
    LISTENER("LDS", "type.googleapis.com/envoy.config.listener.v3.Listener", Listener.parser(),
            m -> ((Listener) m).getName(), true),
    ROUTE("RDS", "type.googleapis.com/envoy.config.route.v3.RouteConfiguration", RouteConfiguration.parser(),
            m -> ((RouteConfiguration) m).getName(), false),
    SECRET("SDS", "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", Secret.parser(),
            m -> ((Secret) m).getName(), false);

    private static final List<XdsResourceType> PUSH_ORDER = List.of(values());

    private final String shortName;
    private final String typeUrl;
    private final Parser<? extends Message> parser;
    private final Function<Message, String> namer;
    private final boolean stateOfTheWorldComplete;

    XdsResourceType(String shortName, String typeUrl, Parser<? extends Message> parser,
            Function<Message, String> namer, boolean stateOfTheWorldComplete) {
        this.shortName = shortName;
        this.typeUrl = typeUrl;
        this.parser = parser;
        this.namer = namer;
        this.stateOfTheWorldComplete = stateOfTheWorldComplete;
    }

    /** {@code CDS}, {@code EDS}, {@code LDS}, {@code RDS} or {@code SDS}: the name operators know. */
    public String shortName() {
        return shortName;
    }

    /** The type URL carried in requests, responses and every {@link Any} of this type. */
    public String typeUrl() {
        return typeUrl;
    }

    /**
     * Whether a state-of-the-world response of this type carries every resource, so that absence means deletion
     * (true for Listener and Cluster only: xDS protocol, "Deleting Resources").
     */
    public boolean stateOfTheWorldComplete() {
        return stateOfTheWorldComplete;
    }

    /** The resource name xDS keys this message by (a ClusterLoadAssignment is named by its cluster_name). */
    public String nameOf(Message resource) {
        return namer.apply(resource);
    }

    /**
     * Unpacks an {@link Any} of this type.
     *
     * @throws InvalidProtocolBufferException if the type URL differs or the bytes do not parse
     */
    public Message unpack(Any any) throws InvalidProtocolBufferException {
        if (!typeUrl.equals(any.getTypeUrl())) {
            throw new InvalidProtocolBufferException(
                    "type_url: " + any.getTypeUrl() + " (expected: " + typeUrl + ")");
        }
        return parser.parseFrom(any.getValue());
    }

    /** The type whose URL this is, if meshfed serves it. */
    public static Optional<XdsResourceType> fromTypeUrl(String typeUrl) {
        return Arrays.stream(values()).filter(t -> t.typeUrl.equals(typeUrl)).findFirst();
    }

    /** Every type in push order (CDS, EDS, LDS, RDS, SDS). */
    public static List<XdsResourceType> pushOrder() {
        return PUSH_ORDER;
    }
}
