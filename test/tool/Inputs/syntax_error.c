#include <ntddk.h>
VOID Broken(VOID)
{
    int x = ;
}
