package io.meshfed.federation.catalog;

import com.hazelcast.config.SerializationConfig;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hazelcast wire forms of the catalog's values and operations. Explicit and field by field: catalog entries are the
 * bulk of the federation's memory and traffic, and Java serialization would repeat class descriptors in every value.
 *
 * <p>Within one entry, identical port maps, localities and label maps are written once and shared by the endpoints
 * that carry them (the endpoints of one workload carry the same labels), which keeps the wire form and a member's
 * view small.
 */
final class CatalogSerializers {

  // Type ids are part of the wire format between members: never reuse or renumber one.
  private static final int ENTRY_KEY = 9101;
  private static final int CATALOG_ENTRY = 9102;
  private static final int CLUSTER_INFO = 9103;
  private static final int CLUSTER_RECORD = 9104;
  private static final int FENCED_PUT = 9105;
  private static final int CLAIM_EPOCH = 9106;
  private static final int HEARTBEAT = 9107;
  private static final int VERSIONED_KEY = 9108;
  private static final int FENCED_PUT_ALL = 9109;

  private CatalogSerializers() {
  }

  static void register(SerializationConfig config) {
    add(config, EntryKey.class, new EntryKeySerializer());
    add(config, CatalogEntry.class, new CatalogEntrySerializer());
    add(config, ClusterInfo.class, new ClusterInfoSerializer());
    add(config, ClusterRecord.class, new ClusterRecordSerializer());
    add(config, FencedPut.class, new FencedPutSerializer());
    add(config, ClaimEpoch.class, new ClaimEpochSerializer());
    add(config, Heartbeat.class, new HeartbeatSerializer());
    add(config, VersionedKey.class, new VersionedKeySerializer());
    add(config, FencedPutAll.class, new FencedPutAllSerializer());
  }

  private static <T> void add(SerializationConfig config, Class<T> type, StreamSerializer<T> serializer) {
    config.addSerializerConfig(new SerializerConfig().setTypeClass(type).setImplementation(serializer));
  }

  static final class EntryKeySerializer implements StreamSerializer<EntryKey> {
    @Override
    public int getTypeId() {
      return ENTRY_KEY;
    }

    @Override
    public void write(ObjectDataOutput out, EntryKey key) throws IOException {
      out.writeString(key.clusterId());
      out.writeString(key.service().namespace());
      out.writeString(key.service().name());
    }

    @Override
    public EntryKey read(ObjectDataInput in) throws IOException {
      return new EntryKey(in.readString(), new ServiceKey(in.readString(), in.readString()));
    }
  }

  static final class CatalogEntrySerializer implements StreamSerializer<CatalogEntry> {
    @Override
    public int getTypeId() {
      return CATALOG_ENTRY;
    }

    @Override
    public void write(ObjectDataOutput out, CatalogEntry entry) throws IOException {
      out.writeString(entry.clusterId());
      out.writeLong(entry.epoch());
      out.writeLong(entry.revision());
      ExportedService service = entry.service();
      out.writeString(service.key().namespace());
      out.writeString(service.key().name());
      out.writeByte(service.reach().ordinal());
      out.writeInt(service.healthyEndpoints());
      out.writeInt(service.ports().size());
      for (ServicePort port : service.ports()) {
        out.writeString(port.name());
        out.writeInt(port.port());
        out.writeString(port.protocol());
        out.writeString(port.appProtocol());
      }
      // Endpoints of one service mostly share their ports, locality and labels: each distinct value is written once
      // per entry and endpoints refer to it by index, which shrinks the wire form and spares readers from
      // rebuilding (and hashing) the same maps for every endpoint.
      Map<Map<String, Integer>, Integer> portTable = new HashMap<>();
      Map<Locality, Integer> localityTable = new HashMap<>();
      Map<Map<String, String>, Integer> labelTable = new HashMap<>();
      for (Endpoint endpoint : service.endpoints()) {
        portTable.putIfAbsent(endpoint.ports(), portTable.size());
        localityTable.putIfAbsent(endpoint.locality(), localityTable.size());
        labelTable.putIfAbsent(endpoint.labels(), labelTable.size());
      }
      out.writeInt(portTable.size());
      for (Map<String, Integer> ports : ordered(portTable)) {
        writeIntMap(out, ports);
      }
      out.writeInt(localityTable.size());
      for (Locality locality : ordered(localityTable)) {
        writeLocality(out, locality);
      }
      out.writeInt(labelTable.size());
      for (Map<String, String> labels : ordered(labelTable)) {
        writeStringMap(out, labels);
      }
      out.writeInt(service.endpoints().size());
      for (Endpoint endpoint : service.endpoints()) {
        out.writeString(endpoint.address());
        out.writeInt(portTable.get(endpoint.ports()));
        out.writeInt(localityTable.get(endpoint.locality()));
        out.writeInt(labelTable.get(endpoint.labels()));
        out.writeByte(endpoint.health().ordinal());
      }
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> ordered(Map<T, Integer> table) {
      Object[] byIndex = new Object[table.size()];
      table.forEach((value, index) -> byIndex[index] = value);
      List<T> list = new ArrayList<>(byIndex.length);
      for (Object value : byIndex) {
        list.add((T) value);
      }
      return list;
    }

    @Override
    public CatalogEntry read(ObjectDataInput in) throws IOException {
      String clusterId = in.readString();
      long epoch = in.readLong();
      long revision = in.readLong();
      ServiceKey key = new ServiceKey(in.readString(), in.readString());
      Reach reach = Reach.values()[in.readByte()];
      int healthy = in.readInt();
      int portCount = in.readInt();
      List<ServicePort> ports = new ArrayList<>(portCount);
      for (int i = 0; i < portCount; i++) {
        ports.add(new ServicePort(intern(in.readString()), in.readInt(), intern(in.readString()),
            intern(in.readString())));
      }
      List<Map<String, Integer>> portTable = new ArrayList<>();
      for (int i = in.readInt(); i > 0; i--) {
        portTable.add(readIntMap(in));
      }
      List<Locality> localityTable = new ArrayList<>();
      for (int i = in.readInt(); i > 0; i--) {
        localityTable.add(readLocality(in));
      }
      List<Map<String, String>> labelTable = new ArrayList<>();
      for (int i = in.readInt(); i > 0; i--) {
        labelTable.add(readStringMap(in));
      }
      int endpointCount = in.readInt();
      List<Endpoint> endpoints = new ArrayList<>(endpointCount);
      for (int i = 0; i < endpointCount; i++) {
        String address = in.readString();
        Map<String, Integer> endpointPorts = portTable.get(in.readInt());
        Locality locality = localityTable.get(in.readInt());
        Map<String, String> labels = labelTable.get(in.readInt());
        EndpointHealth health = EndpointHealth.values()[in.readByte()];
        endpoints.add(new Endpoint(address, endpointPorts, locality, labels, health));
      }
      return new CatalogEntry(clusterId, epoch, revision, new ExportedService(key, ports, reach, endpoints, healthy));
    }
  }

  static final class ClusterInfoSerializer implements StreamSerializer<ClusterInfo> {
    @Override
    public int getTypeId() {
      return CLUSTER_INFO;
    }

    @Override
    public void write(ObjectDataOutput out, ClusterInfo info) throws IOException {
      writeInfo(out, info);
    }

    @Override
    public ClusterInfo read(ObjectDataInput in) throws IOException {
      return readInfo(in);
    }
  }

  static final class ClusterRecordSerializer implements StreamSerializer<ClusterRecord> {
    @Override
    public int getTypeId() {
      return CLUSTER_RECORD;
    }

    @Override
    public void write(ObjectDataOutput out, ClusterRecord record) throws IOException {
      writeInfo(out, record.info());
      out.writeString(record.publisher());
      out.writeLong(record.epoch());
      out.writeLong(record.heartbeatMillis());
      out.writeBoolean(record.republished());
    }

    @Override
    public ClusterRecord read(ObjectDataInput in) throws IOException {
      return new ClusterRecord(readInfo(in), in.readString(), in.readLong(), in.readLong(), in.readBoolean());
    }
  }

  static final class FencedPutSerializer implements StreamSerializer<FencedPut> {
    private final CatalogEntrySerializer entries = new CatalogEntrySerializer();

    @Override
    public int getTypeId() {
      return FENCED_PUT;
    }

    @Override
    public void write(ObjectDataOutput out, FencedPut put) throws IOException {
      entries.write(out, put.entry());
    }

    @Override
    public FencedPut read(ObjectDataInput in) throws IOException {
      return new FencedPut(entries.read(in));
    }
  }

  static final class FencedPutAllSerializer implements StreamSerializer<FencedPutAll> {
    private final CatalogEntrySerializer entries = new CatalogEntrySerializer();

    @Override
    public int getTypeId() {
      return FENCED_PUT_ALL;
    }

    @Override
    public void write(ObjectDataOutput out, FencedPutAll put) throws IOException {
      out.writeInt(put.entries().size());
      for (CatalogEntry entry : put.entries().values()) {
        entries.write(out, entry);
      }
    }

    @Override
    public FencedPutAll read(ObjectDataInput in) throws IOException {
      int size = in.readInt();
      Map<EntryKey, CatalogEntry> map = new HashMap<>(size * 2);
      for (int i = 0; i < size; i++) {
        CatalogEntry entry = entries.read(in);
        map.put(entry.key(), entry);
      }
      return new FencedPutAll(map);
    }
  }

  static final class ClaimEpochSerializer implements StreamSerializer<ClaimEpoch> {
    @Override
    public int getTypeId() {
      return CLAIM_EPOCH;
    }

    @Override
    public void write(ObjectDataOutput out, ClaimEpoch claim) throws IOException {
      writeInfo(out, claim.info());
      out.writeString(claim.publisher());
      out.writeLong(claim.nowMillis());
    }

    @Override
    public ClaimEpoch read(ObjectDataInput in) throws IOException {
      return new ClaimEpoch(readInfo(in), in.readString(), in.readLong());
    }
  }

  static final class HeartbeatSerializer implements StreamSerializer<Heartbeat> {
    @Override
    public int getTypeId() {
      return HEARTBEAT;
    }

    @Override
    public void write(ObjectDataOutput out, Heartbeat heartbeat) throws IOException {
      out.writeLong(heartbeat.epoch());
      out.writeLong(heartbeat.nowMillis());
      out.writeBoolean(heartbeat.info() != null);
      if (heartbeat.info() != null) {
        writeInfo(out, heartbeat.info());
      }
      out.writeBoolean(heartbeat.republished());
    }

    @Override
    public Heartbeat read(ObjectDataInput in) throws IOException {
      long epoch = in.readLong();
      long now = in.readLong();
      ClusterInfo info = in.readBoolean() ? readInfo(in) : null;
      return new Heartbeat(epoch, now, info, in.readBoolean());
    }
  }

  static final class VersionedKeySerializer implements StreamSerializer<VersionedKey> {
    private final EntryKeySerializer keys = new EntryKeySerializer();

    @Override
    public int getTypeId() {
      return VERSIONED_KEY;
    }

    @Override
    public void write(ObjectDataOutput out, VersionedKey key) throws IOException {
      keys.write(out, key.key());
      out.writeLong(key.epoch());
      out.writeLong(key.revision());
    }

    @Override
    public VersionedKey read(ObjectDataInput in) throws IOException {
      return new VersionedKey(keys.read(in), in.readLong(), in.readLong());
    }
  }

  private static void writeInfo(ObjectDataOutput out, ClusterInfo info) throws IOException {
    out.writeString(info.clusterId());
    out.writeString(info.network());
    writeLocality(out, info.locality());
    out.writeInt(info.gateways().size());
    for (GatewayAddress gateway : info.gateways()) {
      out.writeString(gateway.host());
      out.writeInt(gateway.port());
    }
    out.writeString(info.controlPlaneVersion());
  }

  private static ClusterInfo readInfo(ObjectDataInput in) throws IOException {
    String clusterId = in.readString();
    String network = in.readString();
    Locality locality = readLocality(in);
    int gatewayCount = in.readInt();
    List<GatewayAddress> gateways = new ArrayList<>(gatewayCount);
    for (int i = 0; i < gatewayCount; i++) {
      gateways.add(new GatewayAddress(in.readString(), in.readInt()));
    }
    return new ClusterInfo(clusterId, network, locality, gateways, in.readString());
  }

  private static void writeLocality(ObjectDataOutput out, Locality locality) throws IOException {
    out.writeString(locality.region());
    out.writeString(locality.zone());
    out.writeString(locality.subzone());
  }

  private static Locality readLocality(ObjectDataInput in) throws IOException {
    return Locality.of(intern(in.readString()), intern(in.readString()), intern(in.readString()));
  }

  private static void writeStringMap(ObjectDataOutput out, Map<String, String> map) throws IOException {
    out.writeInt(map.size());
    for (Map.Entry<String, String> entry : map.entrySet()) {
      out.writeString(entry.getKey());
      out.writeString(entry.getValue());
    }
  }

  private static Map<String, String> readStringMap(ObjectDataInput in) throws IOException {
    int size = in.readInt();
    Map<String, String> map = new LinkedHashMap<>(size * 2);
    for (int i = 0; i < size; i++) {
      map.put(intern(in.readString()), intern(in.readString()));
    }
    return Map.copyOf(map);
  }

  private static void writeIntMap(ObjectDataOutput out, Map<String, Integer> map) throws IOException {
    out.writeInt(map.size());
    for (Map.Entry<String, Integer> entry : map.entrySet()) {
      out.writeString(entry.getKey());
      out.writeInt(entry.getValue());
    }
  }

  private static Map<String, Integer> readIntMap(ObjectDataInput in) throws IOException {
    int size = in.readInt();
    Map<String, Integer> map = new LinkedHashMap<>(size * 2);
    for (int i = 0; i < size; i++) {
      map.put(intern(in.readString()), in.readInt());
    }
    return Map.copyOf(map);
  }

  // Within one entry, equal maps and localities are already shared (see read); interning every string across
  // entries cost more time on a joining member's initial load (millions of lookups) than it saved in heap.
  private static String intern(String value) {
    return value;
  }
}
