//===- RuleDocs.cpp - The rule pages shipped with the tool ----------------===//
#include "Report/RuleDocs.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <vector>

using namespace irqlcheck;

std::string irqlcheck::rulePagePath(llvm::StringRef Share, llvm::StringRef Id) {
  llvm::SmallString<256> P(Share);
  llvm::sys::path::append(P, "docs", "rules", Id + ".md");
  return std::string(P);
}

llvm::Expected<std::string> irqlcheck::readRulePage(llvm::StringRef Share,
                                                    llvm::StringRef Id) {
  std::string Path = rulePagePath(Share, Id);
  auto Buf = llvm::MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buf)
    return llvm::createStringError(Buf.getError(),
                                   "cannot read the page of rule '" + Id +
                                       "' ('" + Path +
                                       "'): " + Buf.getError().message());
  return (*Buf)->getBuffer().str();
}

static bool isListItem(llvm::StringRef L) {
  L = L.ltrim();
  if (L.starts_with("- ") || L.starts_with("* "))
    return true;
  size_t Digits = L.find_first_not_of("0123456789");
  return Digits != 0 && Digits != llvm::StringRef::npos &&
         L.substr(Digits).starts_with(". ");
}

std::string irqlcheck::pageSection(llvm::StringRef Markdown,
                                   llvm::StringRef Heading) {
  llvm::SmallVector<llvm::StringRef> Lines;
  Markdown.split(Lines, '\n');
  std::vector<std::string> Blocks; // Paragraphs and code blocks.
  bool InSection = false, SeenTitle = false, InFence = false, Open = false;
  for (llvm::StringRef Line : Lines) {
    Line = Line.rtrim("\r");
    // Headings inside code blocks (`# comment` in a shell example) are code.
    bool Fence = Line.ltrim().starts_with("```");
    if (!InFence && !Fence && Line.starts_with("# ") && !SeenTitle) {
      SeenTitle = true;
      InSection = Heading.empty();
      continue;
    }
    if (!InFence && !Fence && Line.starts_with("## ")) {
      if (InSection)
        break; // The section ends at the next one.
      InSection = !Heading.empty() && Line.drop_front(3).trim() == Heading;
      continue;
    }
    if (InFence || Fence) {
      if (InSection) {
        if (!InFence)
          Blocks.emplace_back(); // A code block is a block of its own.
        Blocks.back() += Line.str() + "\n";
      }
      if (Fence)
        InFence = !InFence;
      Open = false;
      continue;
    }
    if (!InSection)
      continue;
    if (Line.trim().empty()) {
      Open = false;
      continue;
    }
    if (!Open) {
      Blocks.push_back(Line.trim().str());
      Open = true;
      continue;
    }
    Blocks.back() += (isListItem(Line) ? "\n" : " ") + Line.trim().str();
  }
  std::string Out;
  for (const std::string &B : Blocks)
    Out += (Out.empty() ? "" : "\n\n") + llvm::StringRef(B).rtrim().str();
  return Out;
}
