package io.meshfed.control.plane.xds;

import io.vertx.core.Future;
import java.util.List;

/** Read side of the ADS server for the admin API ({@code /debug/syncz}) and {@code meshfed proxy-status}. */
public interface ProxyStatusQuery {

    /** Every connected stream, ordered by proxy name then stream id. */
    Future<List<ProxyStatus>> proxyStatuses();
}
