package io.meshfed.gateway.eastwest.process;

import io.meshfed.gateway.eastwest.ConnectionObserver;
import io.meshfed.gateway.eastwest.ConnectionRecord;
import io.meshfed.gateway.eastwest.RequestRecord;
import java.net.InetSocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each record to several observers (the access log and the metrics), in order; one failing does not keep the
 * record from the others, and none of their failures reaches the connection's pipeline.
 */
final class ObserverFanOut implements ConnectionObserver {

  private static final Logger LOG = LoggerFactory.getLogger(ObserverFanOut.class);

  private final ConnectionObserver[] observers;

  ObserverFanOut(List<ConnectionObserver> observers) {
    this.observers = observers.toArray(ConnectionObserver[]::new);
  }

  @Override
  public void opened(String listener, InetSocketAddress remote) {
    for (ConnectionObserver observer : observers) {
      try {
        observer.opened(listener, remote);
      } catch (RuntimeException e) {
        LOG.warn("{} failed on an opened connection: {}", observer.getClass().getSimpleName(), e.toString());
      }
    }
  }

  @Override
  public void closed(ConnectionRecord record) {
    for (ConnectionObserver observer : observers) {
      try {
        observer.closed(record);
      } catch (RuntimeException e) {
        LOG.warn("{} failed on a connection record: {}", observer.getClass().getSimpleName(), e.toString());
      }
    }
  }

  @Override
  public void request(RequestRecord record) {
    for (ConnectionObserver observer : observers) {
      try {
        observer.request(record);
      } catch (RuntimeException e) {
        LOG.warn("{} failed on a request record: {}", observer.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
