#pragma once
// ConfigurationState (metallb.io/v1beta1, status only): whether one component (the controller,
// or the speaker of one node) loaded the metallb.io configuration, so `kubectl get
// configurationstates` answers "is my config loaded?" (docs/custom-resources.md). A plain struct;
// the JSON mapping is in configuration_state_json.h.

#include <string>
#include <string_view>
#include <vector>

#include "common/api/object_meta.h"

namespace ironlb::api {

// status.result.
inline constexpr std::string_view kConfigValid = "Valid";
inline constexpr std::string_view kConfigInvalid = "Invalid";
inline constexpr std::string_view kConfigUnknown = "Unknown";
// The labels that say whose object it is.
inline constexpr std::string_view kComponentTypeLabel = "metallb.io/component-type";
inline constexpr std::string_view kNodeNameLabel = "metallb.io/node-name";
// The one condition ironlb writes: True when valid, False with the first error as message.
inline constexpr std::string_view kConfigurationValidCondition = "ConfigurationValid";

// What a component concluded from its last configuration build.
struct ConfigurationVerdict {
  std::string result{kConfigUnknown};  // kConfigValid, kConfigInvalid, kConfigUnknown
  std::string lastError;               // the first error (object, field, value); "" when valid
  std::string errorSummary;            // "3 errors in 2 objects"; "" when valid

  friend bool operator==(const ConfigurationVerdict&, const ConfigurationVerdict&) = default;
};

// metav1.Condition.
struct Condition {
  std::string type;
  std::string status;  // "True", "False", "Unknown"
  std::string reason;
  std::string message;
  std::string lastTransitionTime;  // RFC 3339

  friend bool operator==(const Condition&, const Condition&) = default;
};

struct ConfigurationStateStatus {
  ConfigurationVerdict verdict;  // result, lastError, errorSummary
  std::vector<Condition> conditions;

  friend bool operator==(const ConfigurationStateStatus&,
                         const ConfigurationStateStatus&) = default;
};

struct ConfigurationState {
  ObjectMeta meta;
  ConfigurationStateStatus status;

  friend bool operator==(const ConfigurationState&, const ConfigurationState&) = default;
};

}  // namespace ironlb::api
