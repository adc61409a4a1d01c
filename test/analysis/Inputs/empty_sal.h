/* SAL macros defined as nothing, the way the WDK's sal.h, driverspecs.h and
 * concurrencysal.h define them when clang (not PREfast) compiles a driver.
 * Force-included instead of irqlcheck_sal.h, it shows that annotations are
 * read from the macro expansions themselves. */
#pragma clang system_header
#ifndef EMPTY_SAL_H
#define EMPTY_SAL_H

#if __has_include(<sal.h>)
#include <sal.h>
#endif
#if __has_include(<driverspecs.h>)
#include <driverspecs.h>
#endif
#if __has_include(<concurrencysal.h>)
#include <concurrencysal.h>
#endif

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
#undef _Function_class_
#undef _Acquires_lock_
#undef _Releases_lock_
#undef _Acquires_exclusive_lock_
#undef _Releases_exclusive_lock_
#undef _Requires_lock_held_
#undef _Requires_lock_not_held_
#undef _Dispatch_type_
#undef _Use_decl_annotations_

#define _IRQL_requires_(irql)
#define _IRQL_requires_max_(irql)
#define _IRQL_requires_min_(irql)
#define _IRQL_raises_(irql)
#define _IRQL_requires_same_
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(kind, param)
#define _IRQL_restores_global_(kind, param)
#define _IRQL_always_function_max_(irql)
#define _IRQL_always_function_min_(irql)
#define __drv_maxIRQL(irql)
#define __drv_minIRQL(irql)
#define __drv_requiresIRQL(irql)
#define __drv_raisesIRQL(irql)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_savesIRQLGlobal(kind, param)
#define __drv_restoresIRQLGlobal(kind, param)
#define _Function_class_(name)
#define _Acquires_lock_(lock)
#define _Releases_lock_(lock)
#define _Acquires_exclusive_lock_(lock)
#define _Releases_exclusive_lock_(lock)
#define _Requires_lock_held_(lock)
#define _Requires_lock_not_held_(lock)
#define _Dispatch_type_(major)
#define _Use_decl_annotations_

#endif /* EMPTY_SAL_H */
