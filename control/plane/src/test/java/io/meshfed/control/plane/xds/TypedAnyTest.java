package io.meshfed.control.plane.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import org.junit.jupiter.api.Test;

class TypedAnyTest {

    private static final TcpProxy PROXY = TcpProxy.newBuilder().setStatPrefix("inbound_15443").setCluster("c").build();

    @Test
    void packsTheBytesAnyPackDoes() {
        Any packed = TypedAny.pack(PROXY);
        assertThat(packed.toByteArray()).isEqualTo(Any.pack(PROXY).toByteArray());
        assertThat(TypedAny.pack(TypedAny.typeUrl(TcpProxy.getDescriptor()), PROXY)).isEqualTo(Any.pack(PROXY));
        assertThat(TypedAny.wrap(TypedAny.typeUrl(TcpProxy.getDescriptor()), PROXY.toByteArray()).toByteArray())
                .isEqualTo(Any.pack(PROXY).toByteArray());
    }

    @Test
    void keepsTheTypeUrlAsBytesUntilItIsReadAsAString() {
        ByteString url = TypedAny.typeUrl(Cluster.getDescriptor());
        Any any = TypedAny.wrap(url, Cluster.newBuilder().setName("outbound|80||a.b.svc.cluster.local").build()
                .toByteArray());
        assertThat(any.getTypeUrlBytes()).isSameAs(url);
        assertThat(any.getTypeUrl()).isEqualTo("type.googleapis.com/envoy.config.cluster.v3.Cluster");
    }
}
