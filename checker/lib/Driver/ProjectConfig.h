//===- ProjectConfig.h - .irqlcheck.yaml, a project's settings ---*- C++ -*-===//
///
/// \file
/// A project config file, `.irqlcheck.yaml`, found by walking up from a
/// source file's directory (the first found wins):
///
/// ```yaml
/// rules:
///   enable: [RULE, ...]      # only these (default: every rule)
///   disable: [RULE, ...]
/// severity:
///   RULE: error              # error | warning | note
/// contracts: [PATH, ...]     # contract files or directories, relative to
///                            # this file, as with --rules
/// functions: [...]           # contract entries, as in rules/*.yaml
/// roles: [...]
/// fields: [...]
/// resident_types: [...]
/// ```
///
/// Unknown keys, wrong types, unknown rule names and bad severities are
/// errors with the file, line and column. Rule selection and severity apply
/// to each finding by the config of its file; contracts are program-wide
/// and layered from every config the run's inputs find. docs/integrations.md
/// describes it for users.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_DRIVER_PROJECTCONFIG_H
#define IRQLCHECK_DRIVER_PROJECTCONFIG_H

#include "Contracts/ContractDB.h"
#include "Report/Finding.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace irqlcheck {

inline constexpr const char *ProjectConfigName = ".irqlcheck.yaml";

struct ProjectConfig {
  /// A path the config names, resolved against the config's directory,
  /// with where it is written.
  struct PathEntry {
    std::string Path;
    unsigned Line = 0, Col = 0;
  };

  std::string File; ///< The config file, as found.
  std::vector<std::string> Enable, Disable;
  std::vector<std::pair<std::string, Severity>> Severities;
  std::vector<PathEntry> Contracts;
  /// The config's text with every key but the contract lists (functions,
  /// roles, fields, resident_types) blanked out, lines kept, so that the
  /// contract loader reports their positions in the config; empty if the
  /// config has none.
  std::string ContractText;

  /// False if the config's `rules:` leaves \p Rule out.
  bool enabled(llvm::StringRef Rule) const;
  std::optional<Severity> severity(llvm::StringRef Rule) const;
};

/// Parses a config's text; \p FileName names it in errors and is what
/// `contracts:` paths are relative to. Never touches the file system.
llvm::Expected<ProjectConfig> parseProjectConfig(llvm::StringRef Text,
                                                 llvm::StringRef FileName);

/// Reads and parses \p Path, and checks that its `contracts:` exist.
llvm::Expected<ProjectConfig> loadProjectConfig(llvm::StringRef Path);

/// The `.irqlcheck.yaml` nearest to \p SourceFile: in its directory or the
/// closest one above it (as an absolute path), if any.
std::optional<std::string> findProjectConfig(llvm::StringRef SourceFile);

/// The configs of one run: --config's for every file, none with
/// --no-config, else each file's nearest `.irqlcheck.yaml`; each file read
/// once.
class ProjectConfigs {
public:
  /// \p Forced: --config's file (empty if none); \p Disabled: --no-config.
  ProjectConfigs(std::string Forced, bool Disabled)
      : Forced(std::move(Forced)), Disabled(Disabled) {}

  /// The config that applies to \p File (null if none), or the error of a
  /// config that cannot be read or is malformed. A config's error is given
  /// once; after that its files have no config.
  llvm::Expected<const ProjectConfig *> forFile(llvm::StringRef File);
  /// The same, but the first error is kept for firstError() and the file
  /// gets no config: for use where no error can be returned.
  const ProjectConfig *forFileOrNull(llvm::StringRef File);
  /// Takes the error forFileOrNull() met first, if any.
  llvm::Error takeError();

  /// Every config loaded so far, in the order first found.
  std::vector<const ProjectConfig *> all() const;

private:
  llvm::Expected<const ProjectConfig *> load(const std::string &Path);

  std::string Forced;
  bool Disabled;
  std::vector<std::unique_ptr<ProjectConfig>> Loaded;
  llvm::StringMap<std::optional<std::string>> ConfigOfDir;
  llvm::StringSet<> Failed; ///< Configs whose error was given.
  std::string FirstError;
};

/// The contract database, in layers, later ones overriding earlier entries
/// of the same name: the built-in files, then each config's `contracts:`
/// and entries (in \p Configs order), then \p RulesDirs (--rules: the
/// command line wins).
llvm::Error loadContractLayers(ContractDB &DB, llvm::StringRef ShareDir,
                               llvm::ArrayRef<const ProjectConfig *> Configs,
                               llvm::ArrayRef<std::string> RulesDirs);

} // namespace irqlcheck

#endif
