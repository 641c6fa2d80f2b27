#ifndef CREADSTAT_SHIM_H
#define CREADSTAT_SHIM_H
/* DiDLab's window on ReadStat (Stata .dta, SPSS .sav/.zsav, SAS .sas7bdat readers; Debian
   libreadstat-dev, which ships no pkg-config file, hence `link "readstat"` in the module map).
   The header only: DiDLab calls the parsers through Swift callbacks (ReadStatTable+Parse.swift). */
#include <readstat.h>

#endif
