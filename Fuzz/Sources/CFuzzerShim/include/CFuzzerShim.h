// libFuzzer's entry point for programs that own `main` (SwiftPM gives every executable target its
// own entry point, so the fuzz targets call the driver instead of linking libFuzzer's `main`).
// Defined by the libFuzzer runtime that `-sanitize=fuzzer` links; declared here only.
#ifndef DIDLAB_CFUZZERSHIM_H
#define DIDLAB_CFUZZERSHIM_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
