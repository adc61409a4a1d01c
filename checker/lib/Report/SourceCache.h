//===- SourceCache.h - Source lines for findings -----------------*- C++ -*-===//
///
/// \file
/// Reads the files findings point into, once each, and hands out their
/// lines: the text output shows the offending line under each finding, and
/// SARIF fingerprints hash it. Findings carry only file, line and column
/// (facts files hold no source), so the files are read again here; a file
/// that cannot be read simply has no lines.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_REPORT_SOURCECACHE_H
#define IRQLCHECK_REPORT_SOURCECACHE_H

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

#include <memory>
#include <optional>
#include <vector>

namespace irqlcheck {

class SourceCache {
public:
  /// Line \p Line (1-based) of \p File without its line break (and without
  /// the `\r` of a CRLF file); nullopt if the file or the line is missing.
  std::optional<llvm::StringRef> line(llvm::StringRef File, unsigned Line);

private:
  struct Entry {
    std::unique_ptr<llvm::MemoryBuffer> Buffer; ///< Null: unreadable.
    std::vector<size_t> LineStarts;
  };
  llvm::StringMap<Entry> Files;
};

/// The column, counted in display cells with tabs expanded to the next
/// multiple of 8 and a UTF-8 sequence as one cell, at which 1-based byte
/// column \p Col of \p Line starts (0-based), as clang places its caret.
unsigned displayColumn(llvm::StringRef Line, unsigned Col);

/// \p Line with tabs expanded as displayColumn() counts them.
std::string expandTabs(llvm::StringRef Line);

/// The 1-based UTF-16 column of 1-based byte column \p Col of \p Line, as
/// SARIF counts columns by default.
unsigned utf16Column(llvm::StringRef Line, unsigned Col);

} // namespace irqlcheck

#endif
