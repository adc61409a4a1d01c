//===- SharedPreamble.h - One precompiled preamble for many TUs -*- C++ -*-===//
///
/// \file
/// Most of a driver TU's parse is the DDK headers, and the files of one
/// driver include the same ones. TUs with the same compile command, the
/// same directory and the same leading #include block are parsed on top of
/// one precompiled preamble (clang's PrecompiledPreamble, kept in memory),
/// built once from the first of them.
///
/// What the preprocessor reports while the headers are read (SAL macro
/// expansions, pragmas) happens only in that build: it is recorded there
/// and replayed into each TU at the place the TU's AST puts those headers.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_DRIVER_SHAREDPREAMBLE_H
#define IRQLCHECK_DRIVER_SHAREDPREAMBLE_H

#include "Driver/TUParser.h"
#include "Facts/Extractor.h"
#include "Facts/SalMacros.h"

#include "clang/Frontend/PrecompiledPreamble.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clang {
class CompilerInstance;
} // namespace clang

namespace irqlcheck {

/// A file's include block: its preamble as clang computes it, cut after the
/// last #include line outside any #if. What follows (a file's own #pragma
/// alloc_text, #defines) is parsed with the file, so the files of a driver
/// share the block even when their comments differ.
struct IncludeBlock {
  unsigned Size = 0;      ///< Bytes; 0 when there is none.
  std::string Directives; ///< Its directives, without comments or layout.
};
IncludeBlock includeBlock(llvm::StringRef Text);

class SharedPreamble {
public:
  /// Builds the preamble of \p File's first \p Size bytes; null when it
  /// cannot be shared: it does not compile, or it has something of the
  /// file's own that the extractor would need. Its TUs are then parsed from
  /// scratch.
  static std::shared_ptr<const SharedPreamble>
  build(const ParseSettings &S, const std::string &File, unsigned Size);

  /// Makes \p CI parse its main file on top of the preamble, skipping the
  /// file's own include block of \p Size bytes (the same directives as the
  /// preamble's, maybe with other comments around them).
  void use(clang::CompilerInvocation &CI,
           llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> &VFS,
           llvm::MemoryBuffer *Main, unsigned Size) const;

  /// Adds what the preprocessor reported during the build to a TU's own
  /// records, in the TU's source locations. False when a location does not
  /// come out at the same file position (the TU must then be parsed from
  /// scratch).
  bool replayInto(clang::CompilerInstance &CI, SalExpansions &Sal,
                  PreprocessorFacts &PP) const;

private:
  /// A presumed position, to check a replayed location against.
  struct Position {
    std::string File;
    unsigned Line = 0, Col = 0;
  };
  std::optional<clang::PrecompiledPreamble> Pch;
  /// What the build reported, in its own source locations.
  SalExpansions Sal;
  PreprocessorFacts PP;
  /// Where each of those locations is, in forEachLocation() order.
  std::vector<Position> Expected;
  friend class PreambleRecorder;
  friend class PreambleBuilder;
};

/// TUs that can share a preamble: Members index the files given.
struct PreambleGroup {
  std::vector<size_t> Members;
  /// Each member's own include block size; empty when the members are
  /// parsed from scratch.
  std::vector<unsigned> Sizes;
  bool shared() const { return !Sizes.empty(); }
};

/// Groups \p Files by compile command (less the file's own name and
/// output), directory and include block directives. Files that share with no other
/// file, or whose command cannot be known, form groups of one with no
/// include block. Groups come in the order of their first member.
std::vector<PreambleGroup> groupByPreamble(const ParseSettings &S,
                                           llvm::ArrayRef<std::string> Files);

} // namespace irqlcheck

#endif
