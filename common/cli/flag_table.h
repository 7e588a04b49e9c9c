#pragma once
// FlagTable: one description of a daemon's command line (docs/flags.md), from which both
// parsing and the help (plain text and the Markdown of docs/flags.md) are made. Each flag has
// a name, a value name ("" for a boolean), help, the default as people read it, a setter that
// parses and stores the value, and optionally a downward-API variable that supplies it.
//
// Sources, the later winning: the struct's defaults, the downward-API variable (e.g.
// $POD_NAMESPACE), IRONLB_<NAME_UPPER_SNAKE> from the environment, the command line in order
// (`--name=value` or `--name value`). An empty value leaves the flag unset, except for a
// boolean, where it means true like a bare `--name`. Booleans: parseBool below. Errors name
// the source, the flag and the value. Pure: the environment is passed in.

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/util/result.h"

namespace ironlb::cli {

// The same type as k8s::EnvLookup: the variable's value, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Parses `value` and stores it in the struct the setter was made for; the error says what was
// expected (the table adds the flag and the value).
using Setter = std::function<Status(const std::string& value)>;

struct Flag {
  std::string name;         // without "--"
  std::string valueName;    // "PATH", "HOST:PORT", ...; "" = a boolean
  std::string help;         // one sentence; "docs/x.md" becomes a link in Markdown
  std::string defaultText;  // as people read it ("0.0.0.0:7472"); "" = none shown
  Setter set;
  std::string downwardEnv = {};  // e.g. "NODE_NAME": a value below IRONLB_<NAME>
  bool required = false;         // an error names the flag (and downwardEnv) when unset
};

enum class HelpFormat { kText, kMarkdown };

struct ParseOutcome {
  std::optional<HelpFormat> help;  // --help / -h, or --help-markdown: print and exit 0
  std::set<std::string> given;     // flags that got a value from any source
};

class FlagTable {
 public:
  // Starts a group of flags: a heading in the help ("Common to both daemons").
  void section(std::string title);
  void add(Flag flag);

  // `args` excludes the program name.
  Result<ParseOutcome> parse(const std::vector<std::string>& args, const EnvLookup& env) const;

  // `intro`: the usage line and what the program does, printed above the flags.
  std::string usage(std::string_view intro) const;
  // One "## <section>" and a table per section: the generated part of docs/flags.md.
  std::string markdown() const;
  // usage(intro) or markdown(), as asked.
  std::string help(HelpFormat format, std::string_view intro) const;

  // "lb-class" -> "IRONLB_LB_CLASS".
  static std::string envName(std::string_view flag);

 private:
  struct Section {
    std::string title;
    std::vector<Flag> flags;
  };
  const Flag* find(std::string_view name) const;
  Status readEnvironment(const EnvLookup& env, std::set<std::string>& given) const;
  Status readArgs(const std::vector<std::string>& args, std::set<std::string>& given) const;

  std::vector<Section> sections_;
};

// Booleans, one convention for both daemons: true, 1, yes (and an empty value) or false, 0,
// no. Case matters, as it always did.
Result<bool> parseBool(std::string_view text);

}  // namespace ironlb::cli
