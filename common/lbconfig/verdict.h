#pragma once
// The verdict a component publishes in its ConfigurationState (docs/custom-resources.md) from
// one configuration build: Valid, or Invalid with the first error (object, field and the
// offending value, as Issue::toString writes it) and a count. Pure.

#include "common/api/configuration_state.h"
#include "common/lbconfig/build.h"

namespace ironlb::lbconfig {

api::ConfigurationVerdict verdictOf(const BuildResult& result);

}  // namespace ironlb::lbconfig
