//===- Sarif.cpp - SARIF 2.1.0 output -------------------------------------===//
#include "Report/Sarif.h"
#include "Report/Reporter.h"
#include "Report/SourceCache.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA256.h"

using namespace irqlcheck;
namespace json = llvm::json;
// json::Value and json::ObjectKey keep a StringRef without copying it:
// every string below is a std::string or a literal.

static const char SrcRoot[] = "%SRCROOT%";

std::string irqlcheck::uriEncode(llvm::StringRef Path) {
  std::string Out;
  for (unsigned char C : Path) {
    if (llvm::isAlnum(C) || C == '-' || C == '.' || C == '_' || C == '~' ||
        C == '/') {
      Out += C;
      continue;
    }
    Out += '%';
    Out += llvm::hexdigit(C >> 4);
    Out += llvm::hexdigit(C & 15);
  }
  return Out;
}

/// The offending construct's code without white space and comments: from
/// the finding's column to the end of its statement (a `;`, or a `{` that
/// opens a body) or of the argument it is (a `,`, or a bracket closing one
/// opened before it), across lines. A finding at a closing brace is that
/// brace. So reindenting it, respacing it, breaking its arguments over
/// lines or editing a comment in it keeps the fingerprint, and code before
/// it on the line (`status = `) is not part of it.
static std::string constructText(SourceCache &Sources, const Loc &At) {
  std::optional<llvm::StringRef> Line = Sources.line(At.File, At.Line);
  if (!Line)
    return "";
  llvm::StringRef Text = *Line;
  if (At.Col >= 1 && At.Col <= Text.size())
    Text = Text.substr(At.Col - 1);
  std::string Out;
  int Depth = 0;
  bool InComment = false;
  // A statement rarely spans more lines; the bound keeps a finding at an
  // unbalanced construct from hashing the rest of the file.
  for (unsigned Next = At.Line + 1, Lines = 0; Lines < 64; ++Next, ++Lines) {
    char Quote = 0;
    for (size_t I = 0; I < Text.size(); ++I) {
      char C = Text[I];
      llvm::StringRef Rest = Text.substr(I);
      if (InComment) {
        if (Rest.starts_with("*/")) {
          InComment = false;
          ++I;
        }
        continue;
      }
      if (Quote) {
        Out += C;
        if (C == '\\' && I + 1 < Text.size())
          Out += Text[++I];
        else if (C == Quote)
          Quote = 0;
        continue;
      }
      if (C == '"' || C == '\'') {
        Quote = C;
        Out += C;
        continue;
      }
      if (Rest.starts_with("//"))
        break;
      if (Rest.starts_with("/*")) {
        InComment = true;
        ++I;
        continue;
      }
      if (llvm::isSpace(C))
        continue;
      if (C == '{' && Depth == 0 && !Out.empty())
        return Out;
      if (C == '(' || C == '[' || C == '{') {
        ++Depth;
      } else if (C == ')' || C == ']' || C == '}') {
        if (Depth == 0)
          return Out.empty() ? std::string(1, C) : Out;
        --Depth;
      } else if ((C == ';' || C == ',') && Depth == 0) {
        return Out + C;
      }
      Out += C;
    }
    std::optional<llvm::StringRef> NextLine = Sources.line(At.File, Next);
    if (!NextLine)
      break;
    Text = *NextLine;
  }
  return Out;
}

/// The names a message quotes: 'callee', 'lock', 'function'.
static std::vector<llvm::StringRef> quotedNames(llvm::StringRef Message) {
  std::vector<llvm::StringRef> Names;
  while (true) {
    size_t Open = Message.find('\'');
    if (Open == llvm::StringRef::npos)
      break;
    size_t Close = Message.find('\'', Open + 1);
    if (Close == llvm::StringRef::npos)
      break;
    Names.push_back(Message.slice(Open + 1, Close));
    Message = Message.substr(Close + 1);
  }
  return Names;
}

std::vector<std::string>
irqlcheck::fingerprintFindings(const std::vector<Finding> &Findings,
                               SourceCache &Sources,
                               const FunctionLocator &FunctionAt) {
  std::vector<std::string> Out;
  llvm::StringMap<unsigned> Seen;
  for (const Finding &F : Findings) {
    llvm::SHA256 H;
    // Each part ends with a NUL so that no two splits hash alike.
    auto Add = [&](llvm::StringRef Part) {
      H.update(Part);
      H.update(llvm::StringRef("\0", 1));
    };
    Add(F.Rule);
    Add(FunctionAt ? FunctionAt(F.At) : "");
    Add(llvm::sys::path::filename(F.At.File));
    Add(constructText(Sources, F.At));
    for (llvm::StringRef Name : quotedNames(F.Message))
      Add(Name);
    std::array<uint8_t, 32> Digest = H.final();
    std::string Hash =
        llvm::toHex(llvm::ArrayRef<uint8_t>(Digest).take_front(16), true);
    unsigned N = ++Seen[Hash];
    Out.push_back(Hash + ":" + std::to_string(N));
  }
  return Out;
}

namespace {
class SarifBuilder {
public:
  explicit SarifBuilder(const SarifOptions &Opts) : Opts(Opts) {
    Root = Opts.SourceRoot;
    if (!llvm::StringRef(Root).ends_with("/"))
      Root += "/";
  }

  json::Object artifactLocation(const std::string &File) const {
    llvm::SmallString<256> Abs(File);
    llvm::sys::fs::make_absolute(Opts.SourceRoot, Abs);
    llvm::sys::path::remove_dots(Abs, /*remove_dot_dot=*/true);
    llvm::StringRef P(Abs);
    if (P.consume_front(Root))
      return json::Object{{"uri", uriEncode(P)}, {"uriBaseId", SrcRoot}};
    return json::Object{{"uri", "file://" + uriEncode(Abs)}};
  }

  /// A location: the file, and the region of the token at the position
  /// (an identifier or keyword, else one character) when the source can be
  /// read, with the line as its context.
  json::Object location(const Loc &L, llvm::StringRef Message) const {
    json::Object Out;
    if (L.valid()) {
      json::Object Region{{"startLine", L.Line}};
      json::Object Physical{{"artifactLocation", artifactLocation(L.File)}};
      std::optional<llvm::StringRef> Text = Opts.Sources->line(L.File, L.Line);
      if (Text && L.Col >= 1 && L.Col <= Text->size()) {
        llvm::StringRef Rest = Text->substr(L.Col - 1);
        size_t Len = Rest.find_if_not(
            [](char C) { return llvm::isAlnum(C) || C == '_'; });
        if (Len == 0)
          Len = 1;
        Len = std::min(Len, Rest.size());
        Region["startColumn"] = utf16Column(*Text, L.Col);
        Region["endLine"] = L.Line;
        Region["endColumn"] = utf16Column(*Text, L.Col + Len);
        Region["snippet"] = json::Object{{"text", Rest.take_front(Len).str()}};
        Physical["contextRegion"] = json::Object{
            {"startLine", L.Line},
            {"endLine", L.Line},
            {"snippet", json::Object{{"text", Text->str()}}}};
      } else {
        Region["startColumn"] = L.Col ? L.Col : 1;
      }
      Physical["region"] = std::move(Region);
      Out["physicalLocation"] = std::move(Physical);
    }
    if (!Message.empty())
      Out["message"] = json::Object{{"text", Message.str()}};
    return Out;
  }

  json::Value rule(const SarifRule &R) const {
    json::Object Help{{"text", R.HelpText.empty() ? R.Summary : R.HelpText}};
    if (!R.HelpMarkdown.empty())
      Help["markdown"] = R.HelpMarkdown;
    json::Object Out{
        {"id", R.Id},
        {"shortDescription", json::Object{{"text", R.Summary}}},
        {"fullDescription",
         json::Object{
             {"text", R.Description.empty() ? R.Summary : R.Description}}},
        {"help", std::move(Help)},
        {"defaultConfiguration", json::Object{{"level", "warning"}}},
    };
    if (!R.CodeAnalysis.empty()) {
      json::Array CA;
      for (const std::string &N : R.CodeAnalysis)
        CA.push_back(N);
      Out["properties"] =
          json::Object{{"microsoftCodeAnalysis", std::move(CA)}};
    }
    return std::move(Out);
  }

  json::Value result(const Finding &F, const std::string &Fingerprint) const {
    json::Object R{
        {"ruleId", F.Rule},
        {"level", severityName(F.Level)},
        {"message", json::Object{{"text", F.Message}}},
        {"locations", json::Array{location(F.At, "")}},
        {"partialFingerprints",
         json::Object{{FingerprintKey, Fingerprint}}},
    };
    if (Opts.HasBaseline)
      R["baselineState"] = "new";
    for (size_t I = 0; I < Opts.Rules.size(); ++I)
      if (Opts.Rules[I].Id == F.Rule)
        R["ruleIndex"] = int64_t(I);
    if (!F.Notes.empty()) {
      json::Array Related, Flow;
      int64_t Id = 0;
      for (const Note &N : F.Notes) {
        json::Object L = location(N.At, N.Message);
        Flow.push_back(json::Object{{"location", json::Object(L)}});
        L["id"] = ++Id;
        Related.push_back(std::move(L));
      }
      // The evidence in order, ending where the defect is.
      Flow.push_back(json::Object{{"location", location(F.At, F.Message)},
                                  {"importance", "essential"}});
      R["relatedLocations"] = std::move(Related);
      R["codeFlows"] = json::Array{json::Object{
          {"threadFlows",
           json::Array{json::Object{{"locations", std::move(Flow)}}}}}};
    }
    return std::move(R);
  }

private:
  const SarifOptions &Opts;
  std::string Root;
};
} // namespace

void irqlcheck::renderSarif(llvm::raw_ostream &OS,
                            const std::vector<Finding> &Findings,
                            const SarifOptions &Opts) {
  assert(Opts.Sources && "SARIF needs the sources for regions and fingerprints");
  SarifBuilder B(Opts);
  std::vector<std::string> Prints =
      fingerprintFindings(Findings, *Opts.Sources, Opts.FunctionAt);

  json::Array Rules;
  for (const SarifRule &R : Opts.Rules)
    Rules.push_back(B.rule(R));
  json::Array Results;
  for (size_t I = 0; I < Findings.size(); ++I)
    Results.push_back(B.result(Findings[I], Prints[I]));
  json::Array Notifications;
  for (const std::string &E : Opts.Errors)
    Notifications.push_back(json::Object{
        {"level", "error"}, {"message", json::Object{{"text", E}}}});

  std::string RootUri = "file://" + uriEncode(Opts.SourceRoot);
  if (!llvm::StringRef(RootUri).ends_with("/"))
    RootUri += "/";
  json::Object Invocation{{"executionSuccessful", Opts.Errors.empty()}};
  if (!Notifications.empty())
    Invocation["toolExecutionNotifications"] = std::move(Notifications);

  json::Object Run{
      {"tool",
       json::Object{{"driver",
                     json::Object{{"name", "irqlcheck"},
                                  {"version", Opts.ToolVersion},
                                  {"semanticVersion", Opts.ToolVersion},
                                  {"rules", std::move(Rules)}}}}},
      {"originalUriBaseIds",
       json::Object{{SrcRoot, json::Object{{"uri", RootUri}}}}},
      {"columnKind", "utf16CodeUnits"},
      {"invocations", json::Array{std::move(Invocation)}},
      {"results", std::move(Results)},
  };
  if (Opts.HasBaseline || Opts.Suppressed)
    Run["properties"] = json::Object{
        {"irqlcheckNotShown",
         json::Object{{"baseline", int64_t(Opts.Baselined)},
                      {"suppressedInSource", int64_t(Opts.Suppressed)}}}};
  json::Object Log{
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs", json::Array{std::move(Run)}},
  };
  OS << llvm::formatv("{0:2}", json::Value(std::move(Log))) << "\n";
}
