"""Stata .dta and SPSS .sav fixtures for the ReadStat reader (issue 17), written by pyreadstat
from existing CSV fixtures, each with the CSV of the same data beside it where a test compares
`didlab estimate` on both (Tests/CLITests/DataFileCLITests.swift, Tests/EstimatorsTests/ReadStatTableTests.swift).

Run from the repository root:
    python3 -m venv /opt/didlab-readstat-venv
    /opt/didlab-readstat-venv/bin/pip install pyreadstat==1.3.8 pandas==3.1.1 statsmodels==0.15.0
    /opt/didlab-readstat-venv/bin/python scripts/reference/make-dta-fixtures.py
Deterministic: pyreadstat stamps each file with the time of writing; `pin_timestamp` replaces that
stamp with 01 Jan 2026 00:00, so a second run writes the same bytes.

Files (Tests/Fixtures/):
- mpdta.dta: Tests/Fixtures/mpdta.csv as a Stata 15 (format 118) file. `first.treat` is renamed
  `first_treat` (a Stata name cannot hold a dot). year int16, countyreal int32, first_treat int16,
  treat int8, lpop and lemp double (the CSV's decimals, correctly rounded: the same doubles).
- mpdta_v8.dta: the same data as a Stata 8 (format 113) file: an old format version.
- mpdta.sav: the same data as an SPSS file.
- mpdta_regions.dta / mpdta_regions.csv: mpdta plus `region`, a labelled int8 (1 East, 2 West,
  3 North, 4 South; county number mod 4 + 1) and `county`, a string id "c" + countyreal. The CSV
  holds the label text and the same strings, so both files describe the same groups.
- mpdta_missing.dta / mpdta_missing.csv: mpdta with missing values: lemp is `.` (system missing)
  on every 37th row and `.a` (extended missing) on every 53rd row; lpop `.b` on every 101st row;
  first_treat `.` for county 8019's rows (a missing cohort = never treated). The CSV has empty
  cells in the same places.
- regions_spaces.dta / regions_user_missing.sav: 40 rows of mpdta_regions (8 counties x 5 years:
  two per region; cohorts 0, 2004, 2006 and 2007). In the .dta, region carries the labels
  1 "East", 2 " East" (a leading space), 3 "North", 4 "South": two labels that are one group name
  once trimmed. In the .sav, region and county are strings, with the user-missing values
  county "c8001" and region "North" declared in the file (pyreadstat `read_sav` reads them as NaN).
- macrodata.dta / macrodata.csv: a .dta WRITTEN BY STATA ITSELF (format 114, stamped 27 May 2010
  23:49; year int16, quarter int8, twelve `float` variables) and the CSV of the same data, both copied
  unchanged from statsmodels 0.15.0 (statsmodels/datasets/macrodata/; BSD-3-Clause package, the data
  "public domain" per its data.py: US macro series 1959Q1-2009Q3 from FRED and the BLS, compiled by
  Skipper Seabold). Every float value in the .dta is the float nearest the CSV's decimal: the oracle
  for reading Stata `float` storage exactly (Double(Float(decimal))).
"""
import os
import shutil

import numpy as np
import pandas as pd
import pyreadstat
import statsmodels

FIXTURES = "Tests/Fixtures"


def path(name):
    return os.path.join(FIXTURES, name)


def pin_timestamp(name):
    """Replace the write time in the file header with a fixed one (same length, same format)."""
    data = bytearray(open(path(name), "rb").read())
    if name.endswith(".sav"):  # "dd Mmm yy" at 92, "hh:mm:ss" at 101 (SPSS system file header)
        data[92:109] = b"01 Jan 2600:00:00"
    elif data.startswith(b"<stata_dta>"):  # format 117+: <timestamp> length byte, "dd Mon yyyy hh:mm"
        start = data.index(b"<timestamp>") + len(b"<timestamp>")
        assert data[start] == 17, "unexpected timestamp length"
        data[start + 1:start + 18] = b"01 Jan 2026 00:00"
    else:  # format 113-115: 18 bytes at 91, "dd Mon yyyy hh:mm" and a NUL
        assert data[0] in (113, 114, 115), "unexpected .dta format"
        data[91:108] = b"01 Jan 2026 00:00"
    open(path(name), "wb").write(bytes(data))


mpdta = pd.read_csv(path("mpdta.csv"), dtype={"lpop": "float64", "lemp": "float64"})
mpdta = mpdta.rename(columns={"first.treat": "first_treat"})
typed = mpdta.astype({"year": "int16", "countyreal": "int32", "first_treat": "int16", "treat": "int8"})

pyreadstat.write_dta(typed, path("mpdta.dta"), file_label="R did mpdta (DiDLab fixture)")
pyreadstat.write_dta(typed, path("mpdta_v8.dta"), version=8)
pyreadstat.write_sav(typed, path("mpdta.sav"))

# Labelled region and string county ids.
regions = {1: "East", 2: "West", 3: "North", 4: "South"}
labelled = typed.copy()
labelled["region"] = (labelled["countyreal"] % 4 + 1).astype("int8")
labelled["county"] = "c" + labelled["countyreal"].astype(str)
pyreadstat.write_dta(labelled, path("mpdta_regions.dta"), variable_value_labels={"region": regions})
as_text = labelled.copy()
as_text["region"] = as_text["region"].map(regions)
as_text.to_csv(path("mpdta_regions.csv"), index=False, float_format="%.17g", lineterminator="\n")

# Missing values: `.`, `.a`, `.b` in the .dta, empty cells in the CSV.
rows = np.arange(len(typed))
missing = typed.astype({"lemp": "object", "lpop": "object", "first_treat": "object"})
csv = typed.astype({"first_treat": "float64"}).copy()
for column, step, tag in [("lemp", 37, None), ("lemp", 53, "a"), ("lpop", 101, "b")]:
    where = rows % step == 0
    missing.loc[where, column] = tag if tag else np.nan
    csv.loc[where, column] = np.nan
unit = typed["countyreal"] == 8019
missing.loc[unit, "first_treat"] = np.nan
csv.loc[unit, "first_treat"] = np.nan
pyreadstat.write_dta(missing, path("mpdta_missing.dta"), missing_user_values={"lemp": ["a"], "lpop": ["b"]})
# SPSS: system missing where the .dta has `.`/`.b`, and the user-missing value -99 (declared
# missing in the file) where it has `.a`.
spss = missing.replace({"a": -99.0, "b": np.nan}).astype({"lemp": "float64", "lpop": "float64", "first_treat": "float64"})
pyreadstat.write_sav(spss, path("mpdta_missing.sav"), missing_ranges={"lemp": [-99.0]})
csv.to_csv(path("mpdta_missing.csv"), index=False, float_format="%.17g", lineterminator="\n")

# Small files for value labels that collide once trimmed, and string user-missing values (SPSS).
counties = [8001, 17005, 51520, 51660, 35006, 29510, 12007, 8019]
small = labelled[labelled["countyreal"].isin(counties)].sort_values(["countyreal", "year"]).reset_index(drop=True)
assert len(small) == 40 and sorted(small["region"].unique()) == [1, 2, 3, 4], small
pyreadstat.write_dta(small, path("regions_spaces.dta"),
                     variable_value_labels={"region": {1: "East", 2: " East", 3: "North", 4: "South"}})
strings = small.copy()
strings["region"] = strings["region"].map(regions)
pyreadstat.write_sav(strings, path("regions_user_missing.sav"), missing_ranges={"county": ["c8001"], "region": ["North"]})

for name in ["mpdta.dta", "mpdta_v8.dta", "mpdta.sav", "mpdta_regions.dta", "mpdta_missing.dta", "mpdta_missing.sav",
             "regions_spaces.dta", "regions_user_missing.sav"]:
    pin_timestamp(name)
    print(name, os.path.getsize(path(name)), "bytes")

macrodata = os.path.join(os.path.dirname(statsmodels.__file__), "datasets", "macrodata")
for name in ["macrodata.dta", "macrodata.csv"]:
    shutil.copyfile(os.path.join(macrodata, name), path(name))
    print(name, os.path.getsize(path(name)), "bytes (statsmodels", statsmodels.__version__ + ")")
