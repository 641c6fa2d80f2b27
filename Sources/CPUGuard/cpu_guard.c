#include "cpu_guard.h"
#include <stdio.h>
#include <stdlib.h>

#if defined(DIDLAB_REQUIRE_X86_64_V3) && defined(__x86_64__)
__attribute__((constructor)) static void didlab_require_x86_64_v3(void) {
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("x86-64-v3")) {
        fputs("didlab: error: this build needs an x86-64-v3 CPU (AVX2, FMA, BMI2: Intel 2013 or AMD 2015 and "
              "later) and this CPU is older; rebuild for it: DIDLAB_CPU=x86-64 scripts/build-release.sh\n", stderr);
        exit(1);
    }
}
int didlab_cpu_guard_active(void) { return 1; }
#else
int didlab_cpu_guard_active(void) { return 0; }
#endif
