#include "common/cli/flag_table.h"

#include <algorithm>
#include <cctype>

namespace ironlb::cli {
namespace {

bool isBoolean(const Flag& flag) {
  return flag.valueName.empty();
}

// Applies one value from `source` ("--name=value", "IRONLB_NAME=value (--name)"). Empty
// values of non-boolean flags leave the flag unset (a manifest's `value: ""`).
Status apply(const Flag& flag, const std::string& value, const std::string& source,
             std::set<std::string>& given) {
  if (value.empty() && !isBoolean(flag)) return {};
  if (auto st = flag.set(isBoolean(flag) && value.empty() ? "true" : value); !st) {
    return makeError(source + ": " + st.error());
  }
  given.insert(flag.name);
  return {};
}

// "(required; default $NODE_NAME)", "(default 5m)" or "".
std::string defaultNote(const Flag& flag) {
  std::string out = flag.required ? "required" : "";
  if (!flag.defaultText.empty())
    out += (out.empty() ? "default " : "; default ") + flag.defaultText;
  return out;
}

// `text` in lines of at most kUsageWidth columns, the first after `left`, the others indented
// to kHelpColumn.
constexpr std::size_t kHelpColumn = 32;
constexpr std::size_t kUsageWidth = 100;

std::string wrapped(std::string left, std::string_view text) {
  left.resize(std::max(left.size() + 2, kHelpColumn), ' ');
  std::string out;
  std::string line = left;
  std::size_t start = line.size();
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    const std::string_view word = text.substr(0, space);
    if (line.size() > start && line.size() + 1 + word.size() > kUsageWidth) {
      out += line + "\n";
      line = std::string(kHelpColumn, ' ');
      start = line.size();
    }
    if (line.size() > start) line += ' ';
    line += word;
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
  }
  return out + line + "\n";
}

std::string spelled(const Flag& flag) {
  std::string out = "--" + flag.name;
  if (!isBoolean(flag)) out += "=" + flag.valueName;
  return out;
}

// "docs/x.md" in help text becomes "[x.md](x.md)" (docs/flags.md sits beside it), and table
// cells may not hold a bare "|".
std::string markdownCell(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text.substr(i).starts_with("docs/")) {
      std::size_t end = text.find(".md", i);
      if (end != std::string_view::npos) {
        const std::string_view file = text.substr(i + 5, end + 3 - (i + 5));
        if (std::all_of(file.begin(), file.end(), [](char c) {
              return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                     c == '.';
            })) {
          out += "[" + std::string(file) + "](" + std::string(file) + ")";
          i = end + 3;
          continue;
        }
      }
    }
    if (text[i] == '|') out += '\\';
    out += text[i++];
  }
  return out;
}

}  // namespace

Result<bool> parseBool(std::string_view text) {
  if (text == "true" || text == "1" || text == "yes") return true;
  if (text == "false" || text == "0" || text == "no") return false;
  return makeError("expected true or false (also 1/0, yes/no)");
}

void FlagTable::section(std::string title) {
  sections_.push_back({std::move(title), {}});
}

void FlagTable::add(Flag flag) {
  if (sections_.empty()) section("");
  sections_.back().flags.push_back(std::move(flag));
}

std::string FlagTable::envName(std::string_view flag) {
  std::string out = "IRONLB_";
  for (char c : flag)
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

const Flag* FlagTable::find(std::string_view name) const {
  for (const Section& s : sections_)
    for (const Flag& f : s.flags)
      if (f.name == name) return &f;
  return nullptr;
}

Result<ParseOutcome> FlagTable::parse(const std::vector<std::string>& args,
                                      const EnvLookup& env) const {
  ParseOutcome out;
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") out.help = HelpFormat::kText;
    if (arg == "--help-markdown") out.help = HelpFormat::kMarkdown;
    if (out.help) return out;
  }
  // The environment first, so that the command line wins.
  if (auto st = readEnvironment(env, out.given); !st) return makeError(st.error());
  if (auto st = readArgs(args, out.given); !st) return makeError(st.error());
  for (const Section& s : sections_) {
    for (const Flag& flag : s.flags) {
      if (!flag.required || out.given.count(flag.name)) continue;
      std::string message = "--" + flag.name + " is required";
      if (!flag.downwardEnv.empty()) message += " (or env " + flag.downwardEnv + ")";
      return makeError(message);
    }
  }
  return out;
}

Status FlagTable::readEnvironment(const EnvLookup& env, std::set<std::string>& given) const {
  for (const Section& s : sections_) {
    for (const Flag& flag : s.flags) {
      // The downward API below IRONLB_<NAME>.
      if (!flag.downwardEnv.empty()) {
        if (auto v = env(flag.downwardEnv); v && !v->empty()) {
          auto st = apply(flag, *v, flag.downwardEnv + "=" + *v + " (--" + flag.name + ")", given);
          if (!st) return st;
        }
      }
      const std::string name = envName(flag.name);
      if (auto v = env(name)) {
        auto st =
            apply(flag, *v, "environment " + name + "=" + *v + " (--" + flag.name + ")", given);
        if (!st) return st;
      }
    }
  }
  return {};
}

Status FlagTable::readArgs(const std::vector<std::string>& args,
                           std::set<std::string>& given) const {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!arg.starts_with("--")) {
      return makeError("unexpected argument \"" + arg + "\" (flags start with --; see --help)");
    }
    const auto eq = arg.find('=');
    const std::string name = arg.substr(2, eq == std::string::npos ? eq : eq - 2);
    const Flag* flag = find(name);
    if (!flag) return makeError("unknown flag --" + name + " (see --help)");
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (isBoolean(*flag)) {
      // A bare boolean is true; a following true/false is its value, anything else the next
      // argument.
      value = "true";
      if (i + 1 < args.size() && parseBool(args[i + 1]).ok()) value = args[++i];
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return makeError("flag --" + name + " needs a value");
    }
    if (auto st = apply(*flag, value, "--" + name + "=" + value, given); !st) return st;
  }
  return {};
}

std::string FlagTable::usage(std::string_view intro) const {
  std::string out(intro);
  out +=
      "Every flag can also be set as IRONLB_<NAME> (e.g. IRONLB_LB_CLASS); the flag wins.\n"
      "Booleans: true/false, 1/0, yes/no; a bare --flag is true. An empty value leaves the\n"
      "default. --help-markdown prints the tables of docs/flags.md.\n";
  for (const Section& s : sections_) {
    if (!s.title.empty()) out += "\n" + s.title + ":\n";
    for (const Flag& f : s.flags) {
      const std::string note = defaultNote(f);
      out += wrapped("  " + spelled(f), note.empty() ? f.help : f.help + " (" + note + ")");
    }
  }
  return out;
}

std::string FlagTable::help(HelpFormat format, std::string_view intro) const {
  return format == HelpFormat::kMarkdown ? markdown() : usage(intro);
}

std::string FlagTable::markdown() const {
  std::string out;
  for (const Section& s : sections_) {
    if (!out.empty()) out += "\n";
    if (!s.title.empty()) out += "## " + s.title + "\n\n";
    out += "| Flag | Environment | Default | Meaning |\n|---|---|---|---|\n";
    for (const Flag& f : s.flags) {
      out += "| `" + spelled(f) + "` | `" + envName(f.name) + "` | " +
             markdownCell(f.defaultText.empty() ? "none" : f.defaultText) +
             (f.required ? " (required)" : "") + " | " + markdownCell(f.help) + " |\n";
    }
  }
  return out;
}

}  // namespace ironlb::cli
