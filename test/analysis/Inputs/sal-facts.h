/* Annotated prototypes in a driver's own header. */
_IRQL_requires_max_(APC_LEVEL)
_Requires_lock_held_(Ext->Lock)
VOID FooHeaderLocked(_In_ PDEVICE_EXTENSION Ext);

/* The driver's own annotation macros. */
#define FOO_DPC_HELPER _IRQL_requires_(DISPATCH_LEVEL) _Acquires_lock_(g_FooLock) _Acquires_lock_(g_FooOtherLock)
