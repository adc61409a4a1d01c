//===- Baseline.cpp - Hiding the findings of an earlier SARIF log ---------===//
#include "Report/Baseline.h"
#include "Report/Sarif.h"

#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace irqlcheck;
namespace json = llvm::json;

static llvm::Error baselineError(llvm::StringRef Name, const llvm::Twine &Why) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "baseline '" + Name + "': " + Why);
}

llvm::Expected<Baseline> Baseline::load(llvm::StringRef Path) {
  auto Buf = llvm::MemoryBuffer::getFile(Path, /*IsText=*/false,
                                         /*RequiresNullTerminator=*/false);
  if (!Buf)
    return baselineError(Path, "cannot read it: " + Buf.getError().message());
  return parse((*Buf)->getBuffer(), Path);
}

/// `HASH:N` without `:N`.
static llvm::StringRef hashOf(llvm::StringRef Print) {
  return Print.rsplit(':').first;
}

llvm::Expected<Baseline> Baseline::parse(llvm::StringRef Text,
                                         llvm::StringRef Name) {
  llvm::Expected<json::Value> Doc = json::parse(Text);
  if (!Doc)
    return baselineError(Name, "not a SARIF log (not JSON: " +
                                   llvm::toString(Doc.takeError()) + ")");
  const json::Object *Log = Doc->getAsObject();
  const json::Array *Runs = Log ? Log->getArray("runs") : nullptr;
  if (!Log || !Runs || !Log->getString("version"))
    return baselineError(Name, "not a SARIF log (no 'version' and 'runs')");
  Baseline B;
  bool Ours = false;
  std::string OtherKey;
  for (const json::Value &RunV : *Runs) {
    const json::Object *Run = RunV.getAsObject();
    const json::Object *Tool = Run ? Run->getObject("tool") : nullptr;
    const json::Object *Driver = Tool ? Tool->getObject("driver") : nullptr;
    if (!Driver || Driver->getString("name") != llvm::StringRef("irqlcheck"))
      continue;
    Ours = true;
    const json::Array *Results = Run->getArray("results");
    if (!Results)
      continue;
    for (const json::Value &ResV : *Results) {
      const json::Object *Res = ResV.getAsObject();
      const json::Object *Prints =
          Res ? Res->getObject("partialFingerprints") : nullptr;
      if (!Prints)
        continue;
      if (std::optional<llvm::StringRef> P = Prints->getString(FingerprintKey)) {
        ++B.Counts[hashOf(*P)];
        ++B.Entries;
        continue;
      }
      for (const auto &KV : *Prints)
        if (llvm::StringRef(KV.first).starts_with("irqlcheck/"))
          OtherKey = KV.first.str();
    }
  }
  if (!Ours)
    return baselineError(Name, "no irqlcheck run in it");
  // Fingerprints of another version never match: every old finding would
  // come back, so say why instead.
  if (!B.Entries && !OtherKey.empty())
    return baselineError(Name, "its fingerprints are " + OtherKey +
                                   ", this irqlcheck's are " +
                                   FingerprintKey +
                                   "; write the baseline again");
  return B;
}

size_t Baseline::filter(std::vector<Finding> &Findings,
                        const std::vector<std::string> &Prints) const {
  llvm::StringMap<unsigned> Left = Counts;
  std::vector<Finding> Kept;
  size_t Removed = 0;
  for (size_t I = 0; I < Findings.size(); ++I) {
    auto It = Left.find(hashOf(Prints[I]));
    if (It != Left.end() && It->second > 0) {
      --It->second;
      ++Removed;
      continue;
    }
    Kept.push_back(std::move(Findings[I]));
  }
  Findings = std::move(Kept);
  return Removed;
}
