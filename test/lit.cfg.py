# lit configuration for irqlcheck's tests.
import os
import sys
import lit.formats

config.name = "irqlcheck"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".c", ".test"]
config.excludes = ["Inputs", "reference-driver"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(os.path.dirname(config.irqlcheck_bin), "test")

config.environment["PATH"] = os.pathsep.join(
    [config.irqlcheck_bin, config.llvm_tools_dir, config.environment.get("PATH", "")])
# Findings are printed relative to the working directory; tests run
# irqlcheck from their own output directory, so paths are absolute (%s).

mingw = config.mingw_sysroot
ddk_flags = ("--target=x86_64-w64-mingw32 -fms-extensions "
             "-D_CLANG_DISABLE_CRT_DEPRECATION_WARNINGS "
             "-isystem %s/include -isystem %s/include/ddk" % (mingw, mingw))
ddk_json = ", ".join('"%s"' % a for a in ddk_flags.split())
sal = os.path.join(config.irqlcheck_share, "include", "irqlcheck_sal.h")
config.substitutions.append(("%irqlcheck", os.path.join(config.irqlcheck_bin, "irqlcheck")))
config.substitutions.append(("%facts_roundtrip", os.path.join(config.irqlcheck_bin, "facts-roundtrip")))
config.substitutions.append(("%sal_dump", os.path.join(config.irqlcheck_bin, "irqlcheck-sal-dump")))
config.substitutions.append(("%plugin", os.path.join(config.irqlcheck_lib, "IrqlCheck.so")))
config.substitutions.append(("%ddk_json", ddk_json))
config.substitutions.append(("%mingw_include", os.path.join(mingw, "include")))
config.substitutions.append(("%ddk_flags", ddk_flags))
config.substitutions.append(("%sal_header", sal))
config.substitutions.append(("%clang", config.clang))
config.substitutions.append(("%src", config.irqlcheck_src))
config.substitutions.append(("%build", os.path.dirname(config.irqlcheck_bin)))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%share", config.irqlcheck_share))
# Every SARIF file a test writes goes through %validate_sarif (Microsoft's
# validator and the SARIF schema; see test/helpers/validate_sarif.py).
helpers = os.path.join(config.test_source_root, "helpers")
config.substitutions.append(("%validate_sarif", "%s %s %s" % (
    sys.executable, os.path.join(helpers, "validate_sarif.py"),
    config.sarif_validator)))
config.substitutions.append(("%sarif_view", "%s %s" % (
    sys.executable, os.path.join(helpers, "sarif_view.py"))))

# The sanitizer build (IRQLCHECK_SANITIZE): every report fails the test.
# The plugin, built with ASan, cannot be loaded into Debian's unsanitized
# clang-19, so the tests that load it say `UNSUPPORTED: asan`.
if getattr(config, "sanitize", False):
    config.available_features.add("asan")
    # A report aborts (SIGABRT): the sanitizers' default exit status, 1,
    # is irqlcheck's "findings", which a test could take for success.
    config.environment["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=1"
    config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1:abort_on_error=1"
    config.environment["LSAN_OPTIONS"] = "suppressions=%s:print_suppressions=0" % (
        os.path.join(config.test_source_root, "lsan.supp"))
# libFuzzer targets (IRQLCHECK_FUZZ): the short fuzzing runs.
if getattr(config, "fuzz", False):
    config.available_features.add("fuzzer")
    config.substitutions.append(("%rules_fuzzer", os.path.join(config.irqlcheck_bin, "rules_fuzzer")))
    config.substitutions.append(("%config_fuzzer", os.path.join(config.irqlcheck_bin, "config_fuzzer")))

# Root reads any file whatever its mode: the tests that need an unreadable
# file run irqlcheck without the capabilities that allow that.
config.substitutions.append(("%drop_dac_override",
    "setpriv --bounding-set=-dac_override,-dac_read_search" if os.getuid() == 0 else ""))
