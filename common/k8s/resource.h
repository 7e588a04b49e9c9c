#pragma once
// Resource addressing: which REST path an object lives at.
//   core (group ""):  /api/v1/namespaces/{ns}/services/{name}[/status]
//   named group:      /apis/{group}/{version}/namespaces/{ns}/{plural}/{name}[/{sub}]
//   cluster-scoped:   no /namespaces/{ns} segment
// Plus the well-known types the daemons use, and query-string helpers.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ironlb::k8s {

struct ResourceType {
  std::string group{};    // "" for the core API
  std::string version{};  // "v1", "v1beta1"
  std::string plural{};   // "services"
  std::string kind{};     // "Service" (list items carry no kind; events and refs need it)
  bool namespaced = true;

  // "v1" or "group/version", as written in apiVersion fields.
  std::string apiVersion() const { return group.empty() ? version : group + "/" + version; }
};

namespace resources {
inline const ResourceType kServices{"", "v1", "services", "Service", true};
inline const ResourceType kEndpointSlices{"discovery.k8s.io", "v1", "endpointslices",
                                          "EndpointSlice", true};
inline const ResourceType kNodes{"", "v1", "nodes", "Node", false};
inline const ResourceType kNamespaces{"", "v1", "namespaces", "Namespace", false};
inline const ResourceType kSecrets{"", "v1", "secrets", "Secret", true};
inline const ResourceType kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};
inline const ResourceType kEvents{"", "v1", "events", "Event", true};
inline const ResourceType kLeases{"coordination.k8s.io", "v1", "leases", "Lease", true};
inline const ResourceType kDeployments{"apps", "v1", "deployments", "Deployment", true};
inline const ResourceType kIPAddressPools{"metallb.io", "v1beta1", "ipaddresspools",
                                          "IPAddressPool", true};
inline const ResourceType kL2Advertisements{"metallb.io", "v1beta1", "l2advertisements",
                                            "L2Advertisement", true};
inline const ResourceType kServiceL2Statuses{"metallb.io", "v1beta1", "servicel2statuses",
                                             "ServiceL2Status", true};
inline const ResourceType kServiceBGPStatuses{"metallb.io", "v1beta1", "servicebgpstatuses",
                                              "ServiceBGPStatus", true};
inline const ResourceType kBGPPeers{"metallb.io", "v1beta2", "bgppeers", "BGPPeer", true};
inline const ResourceType kBGPAdvertisements{"metallb.io", "v1beta1", "bgpadvertisements",
                                             "BGPAdvertisement", true};
inline const ResourceType kBFDProfiles{"metallb.io", "v1beta1", "bfdprofiles", "BFDProfile", true};
inline const ResourceType kCommunities{"metallb.io", "v1beta1", "communities", "Community", true};
inline const ResourceType kConfigurationStates{"metallb.io", "v1beta1", "configurationstates",
                                               "ConfigurationState", true};
}  // namespace resources

// The collection: /api/v1/namespaces/{ns}/services. For a namespaced type an empty `ns` means
// all namespaces; for a cluster-scoped type `ns` is ignored.
std::string collectionPath(const ResourceType& type, std::string_view ns);
// One object, optionally a subresource ("status").
std::string objectPath(const ResourceType& type, std::string_view ns, std::string_view name,
                       std::string_view subresource = "");

// Percent-encodes a query or path component (RFC 3986 unreserved characters pass through).
std::string urlEncode(std::string_view text);
// "?a=1&b=x%20y" from pairs with non-empty values (empty values are skipped); "" if none.
std::string buildQuery(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace ironlb::k8s
