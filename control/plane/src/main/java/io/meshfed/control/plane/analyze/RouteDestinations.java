package io.meshfed.control.plane.analyze;

import io.meshfed.control.plane.istio.Destination;
import io.meshfed.control.plane.istio.VirtualService;
import java.util.ArrayList;
import java.util.List;

/** Every destination a VirtualService sends traffic to, with the field path it is written at. */
final class RouteDestinations {

  record Located(Destination destination, String field) {
  }

  private RouteDestinations() {
  }

  static List<Located> of(VirtualService vs) {
    List<Located> found = new ArrayList<>();
    for (int i = 0; i < vs.http().size(); i++) {
      VirtualService.HttpRoute route = vs.http().get(i);
      for (int j = 0; j < route.route().size(); j++) {
        found.add(new Located(route.route().get(j).destination(),
            "spec.http[" + i + "].route[" + j + "].destination"));
      }
      int index = i;
      route.mirror().ifPresent(m -> found.add(new Located(m, "spec.http[" + index + "].mirror")));
    }
    for (int i = 0; i < vs.tls().size(); i++) {
      for (int j = 0; j < vs.tls().get(i).route().size(); j++) {
        found.add(new Located(vs.tls().get(i).route().get(j).destination(),
            "spec.tls[" + i + "].route[" + j + "].destination"));
      }
    }
    for (int i = 0; i < vs.tcp().size(); i++) {
      for (int j = 0; j < vs.tcp().get(i).route().size(); j++) {
        found.add(new Located(vs.tcp().get(i).route().get(j).destination(),
            "spec.tcp[" + i + "].route[" + j + "].destination"));
      }
    }
    return found;
  }
}
