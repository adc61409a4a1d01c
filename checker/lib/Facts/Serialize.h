//===- Serialize.h - TU facts to and from a file -----------------*- C++ -*-===//
///
/// \file
/// A facts file holds one TU's facts as JSON. It is what lets any build
/// system take part in whole-program analysis: the plugin writes one per
/// compile (`-fplugin-arg-irqlcheck-facts=PATH`), and the tool analyses any
/// number of them together with sources, without re-parsing anything.
///
/// The format is versioned, not negotiated: a reader accepts exactly
/// FactsVersion, so a file from an older or newer irqlcheck is rejected with a
/// message instead of being misread.
///
//===----------------------------------------------------------------------===//
#ifndef IRQLCHECK_FACTS_SERIALIZE_H
#define IRQLCHECK_FACTS_SERIALIZE_H

#include "Facts/Facts.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace irqlcheck {

/// The `format` tag of a facts file, and the only `version` read. Bump the
/// version with every change to Facts.h that changes a field or its meaning.
inline constexpr const char *FactsFormat = "irqlcheck-facts";
inline constexpr int FactsVersion = 3;

/// The extension the tool recognises facts files by (`foo.c.facts`).
inline constexpr const char *FactsExtension = ".facts";

/// \p TU as one line of JSON, keys sorted, so equal facts give equal bytes.
/// Loc::Raw is not written: it only means something inside the process that
/// parsed the TU.
std::string factsToJSON(const TUFacts &TU);

/// Reads what factsToJSON wrote. Errors name \p Name and say what is wrong
/// and where (`expected string at functions[2].name`).
llvm::Expected<TUFacts> factsFromJSON(llvm::StringRef Text,
                                      llvm::StringRef Name);

/// Writes \p TU to \p Path through a temporary file in the same directory
/// and a rename, so a reader never sees a half-written file, even when
/// several compiles write the same path.
llvm::Error writeFactsFile(llvm::StringRef Path, const TUFacts &TU);

/// Reads a facts file; errors read `'PATH': reason`.
llvm::Expected<TUFacts> readFactsFile(llvm::StringRef Path);

} // namespace irqlcheck

#endif
