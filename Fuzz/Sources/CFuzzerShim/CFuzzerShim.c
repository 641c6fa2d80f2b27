// Nothing to compile: the module exists for its header (a C target needs one source file).
#include "CFuzzerShim.h"
