/*
 * b.c: another comment, another size, the same include block.
 */

#include   "drv.h"   // and a trailing comment

VOID BCallsDispatchOnly(VOID)
{
    AtDispatchOnly();
}
