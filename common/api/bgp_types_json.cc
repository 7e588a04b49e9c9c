#include "common/api/bgp_types_json.h"

#include "common/api/label_selector_json.h"
#include "common/api/object_meta_json.h"

namespace ironlb::api {
namespace {

void decodePeerSpec(JsonReader& reader, const Field& spec, BGPPeerSpec& out) {
  reader.read(spec["myASN"], out.myAsn);
  reader.read(spec["peerASN"], out.peerAsn);
  reader.read(spec["dynamicASN"], out.dynamicAsn);
  reader.read(spec["peerAddress"], out.peerAddress);
  reader.read(spec["interface"], out.interfaceName);
  reader.read(spec["sourceAddress"], out.sourceAddress);
  reader.read(spec["peerPort"], out.peerPort);
  reader.read(spec["holdTime"], out.holdTime);
  reader.read(spec["keepaliveTime"], out.keepaliveTime);
  reader.read(spec["connectTime"], out.connectTime);
  reader.read(spec["routerID"], out.routerId);
  decodeLabelSelectors(reader, spec["nodeSelectors"], out.nodeSelectors);
  reader.read(spec["password"], out.password);
  const Field secret = spec["passwordSecret"];
  if (reader.object(secret)) {
    reader.read(secret["name"], out.passwordSecret.name);
    reader.read(secret["namespace"], out.passwordSecret.namespaceName);
  }
  reader.read(spec["bfdProfile"], out.bfdProfile);
  reader.read(spec["enableGracefulRestart"], out.enableGracefulRestart);
  reader.read(spec["ebgpMultiHop"], out.ebgpMultiHop);
  reader.read(spec["vrf"], out.vrf);
  reader.read(spec["disableMP"], out.disableMp);
  reader.read(spec["dualStackAddressFamily"], out.dualStackAddressFamily);
}

void decodeAdvertisementSpec(JsonReader& reader, const Field& spec, BGPAdvertisementSpec& out) {
  reader.read(spec["aggregationLength"], out.aggregationLength);
  reader.read(spec["aggregationLengthV6"], out.aggregationLengthV6);
  reader.read(spec["localPref"], out.localPref);
  reader.read(spec["communities"], out.communities);
  reader.read(spec["ipAddressPools"], out.ipAddressPools);
  decodeLabelSelectors(reader, spec["ipAddressPoolSelectors"], out.ipAddressPoolSelectors);
  decodeLabelSelectors(reader, spec["nodeSelectors"], out.nodeSelectors);
  reader.read(spec["peers"], out.peers);
}

void decodeBfdSpec(JsonReader& reader, const Field& spec, BFDProfileSpec& out) {
  reader.read(spec["receiveInterval"], out.receiveInterval);
  reader.read(spec["transmitInterval"], out.transmitInterval);
  reader.read(spec["detectMultiplier"], out.detectMultiplier);
  reader.read(spec["echoInterval"], out.echoInterval);
  reader.read(spec["echoMode"], out.echoMode);
  reader.read(spec["passiveMode"], out.passiveMode);
  reader.read(spec["minimumTtl"], out.minimumTtl);
}

// The frame of a kind whose fields all live in `spec`.
template <class T, class SpecReader>
Result<T> decodeSpecObject(const nlohmann::json& json, std::string_view kind, SpecReader readSpec) {
  return decodeObject<T>(json, kind, [&](JsonReader& reader, const Field& root, T& out) {
    const Field spec = root["spec"];
    if (reader.object(spec)) readSpec(reader, spec, out);
  });
}

}  // namespace

Result<BGPPeer> decodeBGPPeer(const nlohmann::json& json) {
  return decodeSpecObject<BGPPeer>(json, "BGPPeer",
                                   [](JsonReader& reader, const Field& spec, BGPPeer& out) {
                                     decodePeerSpec(reader, spec, out.spec);
                                   });
}

Result<BGPAdvertisement> decodeBGPAdvertisement(const nlohmann::json& json) {
  return decodeSpecObject<BGPAdvertisement>(
      json, "BGPAdvertisement", [](JsonReader& reader, const Field& spec, BGPAdvertisement& out) {
        decodeAdvertisementSpec(reader, spec, out.spec);
      });
}

Result<BFDProfile> decodeBFDProfile(const nlohmann::json& json) {
  return decodeSpecObject<BFDProfile>(json, "BFDProfile",
                                      [](JsonReader& reader, const Field& spec, BFDProfile& out) {
                                        decodeBfdSpec(reader, spec, out.spec);
                                      });
}

Result<Community> decodeCommunity(const nlohmann::json& json) {
  return decodeSpecObject<Community>(
      json, "Community", [](JsonReader& reader, const Field& spec, Community& out) {
        reader.forEach(spec["communities"], [&](const Field& element) {
          if (!reader.requiredObject(element)) return;
          CommunityAlias& alias = out.communities.emplace_back();
          reader.read(element["name"], alias.name);
          reader.read(element["value"], alias.value);
        });
      });
}

}  // namespace ironlb::api
