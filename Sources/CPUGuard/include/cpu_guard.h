#ifndef DIDLAB_CPU_GUARD_H
#define DIDLAB_CPU_GUARD_H
/* The portable release build (DIDLAB_PORTABLE=1 scripts/build-release.sh) targets x86-64-v3
   (AVX2, FMA, BMI1/2: Intel from 2013, AMD from 2015). On an older CPU its vector code would die
   of an illegal instruction; instead a constructor, compiled for the baseline CPU and run before
   any Swift code, prints one line and exits 1. Returns 1 when this binary carries the check. */
int didlab_cpu_guard_active(void);
#endif
