//===- SourceCache.cpp - Source lines for findings ------------------------===//
#include "Report/SourceCache.h"

using namespace irqlcheck;

std::optional<llvm::StringRef> SourceCache::line(llvm::StringRef File,
                                                 unsigned Line) {
  auto [It, Inserted] = Files.try_emplace(File);
  Entry &E = It->second;
  if (Inserted) {
    auto Buf = llvm::MemoryBuffer::getFile(File, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
    if (Buf) {
      E.Buffer = std::move(*Buf);
      llvm::StringRef Text = E.Buffer->getBuffer();
      E.LineStarts.push_back(0);
      for (size_t I = 0; I < Text.size(); ++I)
        if (Text[I] == '\n')
          E.LineStarts.push_back(I + 1);
    }
  }
  if (!E.Buffer || Line == 0 || Line > E.LineStarts.size())
    return std::nullopt;
  llvm::StringRef Text = E.Buffer->getBuffer();
  size_t Begin = E.LineStarts[Line - 1];
  if (Begin >= Text.size() && Line > 1)
    return std::nullopt; // Past the last line break: no such line.
  llvm::StringRef L = Text.substr(Begin);
  L = L.take_until([](char C) { return C == '\n'; });
  if (L.ends_with("\r"))
    L = L.drop_back();
  return L;
}

/// True for the bytes that start a character in UTF-8 (not continuations).
static bool startsChar(char C) { return (C & 0xC0) != 0x80; }

unsigned irqlcheck::displayColumn(llvm::StringRef Line, unsigned Col) {
  unsigned Cells = 0;
  for (size_t I = 0; I + 1 < Col && I < Line.size(); ++I) {
    if (Line[I] == '\t')
      Cells = (Cells / 8 + 1) * 8;
    else if (startsChar(Line[I]))
      ++Cells;
  }
  return Cells;
}

std::string irqlcheck::expandTabs(llvm::StringRef Line) {
  std::string Out;
  unsigned Cells = 0;
  for (char C : Line) {
    if (C == '\t') {
      unsigned Next = (Cells / 8 + 1) * 8;
      Out.append(Next - Cells, ' ');
      Cells = Next;
      continue;
    }
    Out.push_back(C);
    if (startsChar(C))
      ++Cells;
  }
  return Out;
}

unsigned irqlcheck::utf16Column(llvm::StringRef Line, unsigned Col) {
  unsigned Units = 0;
  for (size_t I = 0; I + 1 < Col && I < Line.size(); ++I) {
    unsigned char C = Line[I];
    if (!startsChar(C))
      continue;
    // A 4-byte UTF-8 sequence is outside the BMP: a surrogate pair.
    Units += (C >= 0xF0) ? 2 : 1;
  }
  // Columns past the end of the line (a finding at a line break) keep
  // their distance from it.
  if (Col > Line.size() + 1)
    Units += Col - (Line.size() + 1);
  return Units + 1;
}
