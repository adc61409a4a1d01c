/*===- irqlcheck_sal.h - SAL annotations that irqlcheck can read ------------===
 *
 * The mingw-w64 DDK headers define the driver SAL annotations as empty
 * macros, and so does the real WDK's sal.h when clang (not PREfast)
 * compiles. irqlcheck reads annotations in two ways, and merges them:
 *
 *  - from the preprocessor: every expansion of a SAL macro in the driver's
 *    own files is recorded and attached, by position, to the function
 *    declaration (or parameter) it is written on. This works whatever the
 *    macros expand to, so it is what reads annotations when a
 *    compile_commands.json brings the real WDK headers;
 *  - from `annotate("irqlcheck", ...)` attributes, which this header makes
 *    of the annotations that matter for IRQL and lock analysis. irqlcheck
 *    force-includes it in its embedded default, so clang itself checks and
 *    evaluates the arguments there.
 *
 * Both give the same annotations; keep the names below in step with
 * salKindOfMacro() in checker/lib/Facts/SalMacros.cpp. The rest of SAL
 * still parses.
 *
 * The mingw headers are included first so that their (include-guarded)
 * empty definitions are seen once and then replaced here.
 *===----------------------------------------------------------------------===*/
#ifndef IRQLCHECK_SAL_H
#define IRQLCHECK_SAL_H

#if __has_include(<sal.h>)
#include <sal.h>
#endif
#if __has_include(<driverspecs.h>)
#include <driverspecs.h>
#endif
#if __has_include(<concurrencysal.h>)
#include <concurrencysal.h>
#endif

#define IRQLCHECK_ANNOTATE(...) __attribute__((annotate("irqlcheck", __VA_ARGS__)))

/* IRQL annotations: arguments are IRQL constants, evaluated by clang (the
 * preprocessor side evaluates them itself). */
#undef _IRQL_requires_
#undef _IRQL_requires_max_
#undef _IRQL_requires_min_
#undef _IRQL_raises_
#undef _IRQL_requires_same_
#undef _IRQL_saves_
#undef _IRQL_restores_
#undef _IRQL_saves_global_
#undef _IRQL_restores_global_
#undef _IRQL_always_function_max_
#undef _IRQL_always_function_min_
#undef __drv_maxIRQL
#undef __drv_minIRQL
#undef __drv_requiresIRQL
#undef __drv_raisesIRQL
#undef __drv_savesIRQL
#undef __drv_restoresIRQL
#undef __drv_savesIRQLGlobal
#undef __drv_restoresIRQLGlobal
#define _IRQL_requires_(irql) IRQLCHECK_ANNOTATE("requires", irql)
#define _IRQL_requires_max_(irql) IRQLCHECK_ANNOTATE("requires_max", irql)
#define _IRQL_requires_min_(irql) IRQLCHECK_ANNOTATE("requires_min", irql)
#define _IRQL_raises_(irql) IRQLCHECK_ANNOTATE("raises", irql)
#define _IRQL_requires_same_ IRQLCHECK_ANNOTATE("requires_same")
#define _IRQL_saves_ IRQLCHECK_ANNOTATE("saves")
#define _IRQL_restores_ IRQLCHECK_ANNOTATE("restores")
#define _IRQL_saves_global_(kind, param) IRQLCHECK_ANNOTATE("saves_global", #kind, #param)
#define _IRQL_restores_global_(kind, param) IRQLCHECK_ANNOTATE("restores_global", #kind, #param)
#define _IRQL_always_function_max_(irql) IRQLCHECK_ANNOTATE("requires_max", irql)
#define _IRQL_always_function_min_(irql) IRQLCHECK_ANNOTATE("requires_min", irql)
#define __drv_maxIRQL(irql) IRQLCHECK_ANNOTATE("requires_max", irql)
#define __drv_minIRQL(irql) IRQLCHECK_ANNOTATE("requires_min", irql)
#define __drv_requiresIRQL(irql) IRQLCHECK_ANNOTATE("requires", irql)
#define __drv_raisesIRQL(irql) IRQLCHECK_ANNOTATE("raises", irql)
#define __drv_savesIRQL IRQLCHECK_ANNOTATE("saves")
#define __drv_restoresIRQL IRQLCHECK_ANNOTATE("restores")
#define __drv_savesIRQLGlobal(kind, param) IRQLCHECK_ANNOTATE("saves_global", #kind, #param)
#define __drv_restoresIRQLGlobal(kind, param) IRQLCHECK_ANNOTATE("restores_global", #kind, #param)

/* Role and lock annotations: arguments are names or lock expressions, kept
 * as text (they name parameters, which are not constants). */
#undef _Function_class_
#undef _Acquires_lock_
#undef _Releases_lock_
#undef _Requires_lock_held_
#undef _Requires_lock_not_held_
#undef _Acquires_exclusive_lock_
#undef _Releases_exclusive_lock_
#undef _Dispatch_type_
#define _Function_class_(name) IRQLCHECK_ANNOTATE("function_class", #name)
#define _Acquires_lock_(lock) IRQLCHECK_ANNOTATE("acquires_lock", #lock)
#define _Releases_lock_(lock) IRQLCHECK_ANNOTATE("releases_lock", #lock)
#define _Acquires_exclusive_lock_(lock) IRQLCHECK_ANNOTATE("acquires_lock", #lock)
#define _Releases_exclusive_lock_(lock) IRQLCHECK_ANNOTATE("releases_lock", #lock)
#define _Requires_lock_held_(lock) IRQLCHECK_ANNOTATE("requires_lock_held", #lock)
#define _Requires_lock_not_held_(lock) IRQLCHECK_ANNOTATE("requires_lock_not_held", #lock)
#define _Dispatch_type_(major) IRQLCHECK_ANNOTATE("dispatch_type", major)

/* Annotations the mingw headers lack, which driver code commonly uses.
 * irqlcheck does not need their meaning. */
#ifndef _Use_decl_annotations_
#define _Use_decl_annotations_
#endif
#ifndef _Must_inspect_result_
#define _Must_inspect_result_
#endif
#ifndef _Kernel_float_saved_
#define _Kernel_float_saved_
#endif
#ifndef _Kernel_float_restored_
#define _Kernel_float_restored_
#endif
#ifndef _Kernel_float_used_
#define _Kernel_float_used_
#endif
#ifndef _Kernel_requires_resource_held_
#define _Kernel_requires_resource_held_(x)
#endif
#ifndef _Kernel_requires_resource_not_held_
#define _Kernel_requires_resource_not_held_(x)
#endif
#ifndef _Kernel_acquires_resource_
#define _Kernel_acquires_resource_(x)
#endif
#ifndef _Kernel_releases_resource_
#define _Kernel_releases_resource_(x)
#endif
#ifndef _Kernel_clear_do_init_
#define _Kernel_clear_do_init_(x)
#endif
#ifndef _IRQL_is_cancel_
#define _IRQL_is_cancel_
#endif
#ifndef _IRQL_uses_cancel_
#define _IRQL_uses_cancel_
#endif
#ifndef _Guarded_by_
#define _Guarded_by_(lock)
#endif
#ifndef _Interlocked_
#define _Interlocked_
#endif
#ifndef _Analysis_assume_
#define _Analysis_assume_(expr)
#endif
#ifndef _Analysis_assume_lock_held_
#define _Analysis_assume_lock_held_(lock)
#endif
#ifndef _Analysis_assume_lock_not_held_
#define _Analysis_assume_lock_not_held_(lock)
#endif
#ifndef _Post_satisfies_
#define _Post_satisfies_(expr)
#endif
#ifndef _Pre_satisfies_
#define _Pre_satisfies_(expr)
#endif
#ifndef _Strict_type_match_
#define _Strict_type_match_
#endif
#ifndef _Inout_updates_bytes_
#define _Inout_updates_bytes_(n)
#endif
#ifndef _Out_writes_bytes_to_
#define _Out_writes_bytes_to_(n, m)
#endif
#ifndef _At_buffer_
#define _At_buffer_(t, i, b, a)
#endif

#endif /* IRQLCHECK_SAL_H */
