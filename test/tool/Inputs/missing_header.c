#include <ntddk.h>
#include "no_such_header.h"
VOID F(VOID) {}
