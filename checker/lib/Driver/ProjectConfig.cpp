//===- ProjectConfig.cpp - .irqlcheck.yaml, a project's settings ----------===//
#include "Driver/ProjectConfig.h"
#include "Driver/Resources.h"
#include "Rules/Rules.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"

using namespace irqlcheck;
namespace yaml = llvm::yaml;

bool ProjectConfig::enabled(llvm::StringRef Rule) const {
  if (!Enable.empty() && !llvm::is_contained(Enable, Rule))
    return false;
  return !llvm::is_contained(Disable, Rule);
}

std::optional<Severity> ProjectConfig::severity(llvm::StringRef Rule) const {
  for (const auto &[Id, S] : Severities)
    if (Id == Rule)
      return S;
  return std::nullopt;
}

/// The keys that hold contract entries, in the rules/*.yaml schema.
static bool isContractKey(llvm::StringRef K) {
  return K == "functions" || K == "roles" || K == "fields" ||
         K == "resident_types";
}

namespace {
/// Walks the YAML nodes; the first error wins and stops the walk.
class Parser {
public:
  Parser(llvm::StringRef Text, llvm::StringRef FileName)
      : Text(Text), FileName(FileName) {
    SM.setDiagHandler(
        [](const llvm::SMDiagnostic &D, void *Ctx) {
          std::string &Out = *static_cast<std::string *>(Ctx);
          if (!Out.empty())
            return;
          llvm::raw_string_ostream OS(Out);
          OS << D.getFilename() << ":" << D.getLineNo() << ":"
             << (D.getColumnNo() + 1) << ": error: " << D.getMessage();
        },
        &Diag);
  }

  llvm::Expected<ProjectConfig> run();

private:
  bool error(yaml::Node *N, const llvm::Twine &Msg) {
    if (Diag.empty()) {
      if (N)
        SM.PrintMessage(N->getSourceRange().Start, llvm::SourceMgr::DK_Error,
                        Msg);
      else
        Diag = (FileName + ": error: " + Msg).str();
    }
    return false;
  }
  bool failed() const { return !Diag.empty(); }

  /// A plain scalar's value (aliases, tags and collections are errors).
  std::optional<std::string> scalar(yaml::Node *N, llvm::StringRef What) {
    auto *S = llvm::dyn_cast_or_null<yaml::ScalarNode>(N);
    if (!S) {
      error(N, "expected " + What);
      return std::nullopt;
    }
    llvm::SmallString<64> Storage;
    return S->getValue(Storage).str();
  }

  bool ruleList(yaml::Node *N, std::vector<std::string> &Out) {
    auto *Seq = llvm::dyn_cast_or_null<yaml::SequenceNode>(N);
    if (!Seq)
      return error(N, "expected a list of rule names, as in [spinlock-leak]");
    for (yaml::Node &Item : *Seq) {
      std::optional<std::string> Id = scalar(&Item, "a rule name");
      if (!Id)
        return false;
      if (!isKnownRule(*Id))
        return error(&Item, "unknown rule '" + *Id + "' (see --list-rules)");
      Out.push_back(*Id);
    }
    return !failed();
  }

  bool rules(yaml::Node *N, ProjectConfig &C) {
    auto *M = llvm::dyn_cast_or_null<yaml::MappingNode>(N);
    if (!M)
      return error(N, "expected a mapping with 'enable' and/or 'disable'");
    llvm::StringSet<> Seen;
    for (yaml::KeyValueNode &KV : *M) {
      std::optional<std::string> K = key(KV, Seen);
      if (!K)
        return false;
      if (*K == "enable") {
        if (!ruleList(KV.getValue(), C.Enable))
          return false;
      } else if (*K == "disable") {
        if (!ruleList(KV.getValue(), C.Disable))
          return false;
      } else {
        return error(KV.getKey(), "unknown key '" + *K +
                                      "' in 'rules' (expected enable or "
                                      "disable)");
      }
    }
    return !failed();
  }

  bool severity(yaml::Node *N, ProjectConfig &C) {
    auto *M = llvm::dyn_cast_or_null<yaml::MappingNode>(N);
    if (!M)
      return error(N, "expected a mapping of rule names to error, warning "
                      "or note");
    llvm::StringSet<> Seen;
    for (yaml::KeyValueNode &KV : *M) {
      std::optional<std::string> K = key(KV, Seen);
      if (!K)
        return false;
      if (!isKnownRule(*K))
        return error(KV.getKey(),
                     "unknown rule '" + *K + "' (see --list-rules)");
      std::optional<std::string> V =
          scalar(KV.getValue(), "error, warning or note");
      if (!V)
        return false;
      Severity S;
      if (*V == "error")
        S = Severity::Error;
      else if (*V == "warning")
        S = Severity::Warning;
      else if (*V == "note")
        S = Severity::Note;
      else
        return error(KV.getValue(), "unknown severity '" + *V +
                                        "' (expected error, warning or note)");
      C.Severities.push_back({*K, S});
    }
    return !failed();
  }

  bool contracts(yaml::Node *N, ProjectConfig &C) {
    auto *Seq = llvm::dyn_cast_or_null<yaml::SequenceNode>(N);
    if (!Seq)
      return error(N, "expected a list of contract files or directories");
    for (yaml::Node &Item : *Seq) {
      std::optional<std::string> P = scalar(&Item, "a path");
      if (!P)
        return false;
      if (P->empty())
        return error(&Item, "empty path");
      llvm::SmallString<256> Full(*P);
      if (llvm::sys::path::is_relative(Full)) {
        Full = llvm::sys::path::parent_path(FileName);
        llvm::sys::path::append(Full, *P);
      }
      auto LC = SM.getLineAndColumn(Item.getSourceRange().Start);
      C.Contracts.push_back({std::string(Full), LC.first, LC.second});
    }
    return !failed();
  }

  /// A mapping key as a plain scalar, not seen before in this mapping.
  std::optional<std::string> key(yaml::KeyValueNode &KV,
                                 llvm::StringSet<> &Seen) {
    std::optional<std::string> K = scalar(KV.getKey(), "a key");
    if (!K)
      return std::nullopt;
    if (!Seen.insert(*K).second) {
      error(KV.getKey(), "duplicate key '" + *K + "'");
      return std::nullopt;
    }
    return K;
  }

  llvm::StringRef Text;
  llvm::StringRef FileName;
  llvm::SourceMgr SM;
  std::string Diag;
};
} // namespace

llvm::Expected<ProjectConfig> Parser::run() {
  ProjectConfig C;
  C.File = FileName.str();
  auto Fail = [&]() -> llvm::Error {
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   Diag.empty() ? FileName.str() +
                                                      ": error: malformed config"
                                                : Diag);
  };
  yaml::Stream S(llvm::MemoryBufferRef(Text, FileName), SM,
                 /*ShowColors=*/false);
  // Lines of each top-level key, to blank out the non-contract ones.
  struct Span {
    unsigned Line;
    bool Contract;
  };
  std::vector<Span> Spans;
  unsigned Documents = 0;
  for (yaml::Document &D : S) {
    if (++Documents > 1) {
      error(D.getRoot(), "a config holds one YAML document");
      break;
    }
    yaml::Node *Root = D.getRoot();
    if (failed())
      break;
    if (!Root || llvm::isa<yaml::NullNode>(Root))
      continue; // An empty config.
    auto *M = llvm::dyn_cast<yaml::MappingNode>(Root);
    if (!M) {
      error(Root, "expected a mapping of keys (rules, severity, contracts, "
                  "functions, roles, fields, resident_types)");
      break;
    }
    // A flow mapping (`{rules: ...}`) cannot have its keys blanked by line.
    const char *Start = Root->getSourceRange().Start.getPointer();
    bool Flow = Start && Start >= Text.begin() && Start < Text.end() &&
                *Start == '{';
    llvm::StringSet<> Seen;
    for (yaml::KeyValueNode &KV : *M) {
      std::optional<std::string> K = key(KV, Seen);
      if (!K)
        break;
      unsigned Line =
          SM.getLineAndColumn(KV.getKey()->getSourceRange().Start).first;
      bool Contract = isContractKey(*K);
      Spans.push_back({Line, Contract});
      if (Contract) {
        if (Flow) {
          error(KV.getKey(), "contract entries need the config's keys one "
                             "per line (a block mapping)");
          break;
        }
        C.ContractText = "x"; // Marked; made below.
        KV.skip();
        continue;
      }
      bool Ok = *K == "rules"       ? rules(KV.getValue(), C)
                : *K == "severity"  ? severity(KV.getValue(), C)
                : *K == "contracts" ? contracts(KV.getValue(), C)
                                    : error(KV.getKey(),
                                            "unknown key '" + *K +
                                                "' (expected rules, severity, "
                                                "contracts, functions, roles, "
                                                "fields or resident_types)");
      if (!Ok)
        break;
    }
    if (failed())
      break;
  }
  if (failed() || S.failed())
    return Fail();

  if (!C.ContractText.empty()) {
    // Keep the contract keys' lines, blank the others' (up to the next
    // top-level key), so the loader sees a rules file with the config's
    // line and column numbers.
    llvm::SmallVector<llvm::StringRef, 0> Lines;
    Text.split(Lines, '\n');
    std::string Out;
    bool Keep = false;
    size_t Next = 0;
    for (size_t I = 0; I < Lines.size(); ++I) {
      unsigned LineNo = I + 1;
      while (Next < Spans.size() && Spans[Next].Line <= LineNo)
        Keep = Spans[Next++].Contract;
      if (Keep && Next > 0)
        Out += Lines[I];
      if (I + 1 < Lines.size())
        Out += '\n';
    }
    C.ContractText = std::move(Out);
    // Check the entries now, so a bad one is reported with the config.
    ContractDB Scratch;
    if (llvm::Error E = Scratch.loadBuffer(C.ContractText, FileName))
      return std::move(E);
  }
  return C;
}

llvm::Expected<ProjectConfig>
irqlcheck::parseProjectConfig(llvm::StringRef Text, llvm::StringRef FileName) {
  return Parser(Text, FileName).run();
}

llvm::Expected<ProjectConfig> irqlcheck::loadProjectConfig(llvm::StringRef Path) {
  auto Buf = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!Buf)
    return llvm::createStringError(Buf.getError(),
                                   "%s: error: cannot read config: %s",
                                   Path.str().c_str(),
                                   Buf.getError().message().c_str());
  llvm::Expected<ProjectConfig> C = parseProjectConfig((*Buf)->getBuffer(), Path);
  if (!C)
    return C.takeError();
  for (const ProjectConfig::PathEntry &P : C->Contracts)
    if (!llvm::sys::fs::exists(P.Path))
      return llvm::createStringError(
          llvm::inconvertibleErrorCode(),
          "%s:%u:%u: error: contracts: no such file or directory '%s'",
          Path.str().c_str(), P.Line, P.Col, P.Path.c_str());
  return C;
}

std::optional<std::string>
irqlcheck::findProjectConfig(llvm::StringRef SourceFile) {
  llvm::SmallString<256> Cwd;
  llvm::sys::fs::current_path(Cwd);
  Cwd += llvm::sys::path::get_separator();
  llvm::SmallString<256> Dir(SourceFile);
  llvm::sys::fs::make_absolute(Dir);
  llvm::sys::path::remove_dots(Dir, /*remove_dot_dot=*/true);
  llvm::sys::path::remove_filename(Dir);
  while (!Dir.empty()) {
    llvm::SmallString<256> Candidate(Dir);
    llvm::sys::path::append(Candidate, ProjectConfigName);
    if (llvm::sys::fs::is_regular_file(Candidate)) {
      // Named relative to the working directory when under it, as the
      // findings' files are.
      llvm::StringRef C(Candidate);
      C.consume_front(Cwd);
      return C.str();
    }
    llvm::StringRef Parent = llvm::sys::path::parent_path(Dir);
    if (Parent == Dir)
      break;
    Dir.resize(Parent.size()); // The parent is a prefix.
  }
  return std::nullopt;
}

llvm::Error irqlcheck::loadContractLayers(
    ContractDB &DB, llvm::StringRef ShareDir,
    llvm::ArrayRef<const ProjectConfig *> Configs,
    llvm::ArrayRef<std::string> RulesDirs) {
  // A layer in error is left out and the others still load; the joined error
  // names every one left out.
  llvm::Error Errors = loadBuiltinContracts(DB, ShareDir);
  auto Add = [&](llvm::Error E) {
    Errors = llvm::joinErrors(std::move(Errors), std::move(E));
  };
  for (const ProjectConfig *C : Configs) {
    for (const ProjectConfig::PathEntry &P : C->Contracts)
      Add(loadContractPath(DB, P.Path));
    if (!C->ContractText.empty())
      Add(DB.loadBuffer(C->ContractText, C->File));
  }
  for (const std::string &Path : RulesDirs)
    Add(loadContractPath(DB, Path));
  Add(DB.validate());
  return Errors;
}

llvm::Expected<const ProjectConfig *>
ProjectConfigs::load(const std::string &Path) {
  for (const auto &C : Loaded)
    if (C->File == Path)
      return C.get();
  if (Failed.contains(Path))
    return nullptr;
  llvm::Expected<ProjectConfig> C = loadProjectConfig(Path);
  if (!C) {
    Failed.insert(Path);
    return C.takeError();
  }
  Loaded.push_back(std::make_unique<ProjectConfig>(std::move(*C)));
  return Loaded.back().get();
}

llvm::Expected<const ProjectConfig *>
ProjectConfigs::forFile(llvm::StringRef File) {
  if (Disabled)
    return nullptr;
  if (!Forced.empty())
    return load(Forced);
  llvm::StringRef Dir = llvm::sys::path::parent_path(File);
  auto [It, Inserted] = ConfigOfDir.try_emplace(Dir.empty() ? "." : Dir);
  if (Inserted)
    It->second = findProjectConfig(File);
  if (!It->second)
    return nullptr;
  return load(*It->second);
}

const ProjectConfig *ProjectConfigs::forFileOrNull(llvm::StringRef File) {
  llvm::Expected<const ProjectConfig *> C = forFile(File);
  if (C)
    return *C;
  std::string Msg = llvm::toString(C.takeError());
  if (FirstError.empty())
    FirstError = Msg;
  return nullptr;
}

llvm::Error ProjectConfigs::takeError() {
  if (FirstError.empty())
    return llvm::Error::success();
  std::string Msg = std::move(FirstError);
  FirstError.clear();
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Msg);
}

std::vector<const ProjectConfig *> ProjectConfigs::all() const {
  std::vector<const ProjectConfig *> Out;
  for (const auto &C : Loaded)
    Out.push_back(C.get());
  return Out;
}
