"""Tests/Fixtures/dimensions.csv: two unit-level grouping columns for the `estimate --by COL1,COL2`
golden (Tests/CLITests/GoldenCases.swift), derived from Tests/Fixtures/synthetic.csv.

Units c001..c060 of synthetic.csv, every row and column unchanged, plus
- region: north (provinces p01-p04), centre (p05-p08), south (p09-p12): 3 groups;
- coastal: yes for units c001, c004, c007, ... (unit number mod 3 == 1), no otherwise: 2 groups.
Run from the repository root: python3 scripts/reference/make_dimensions_fixture.py  (standard library only).
"""
import csv

with open("Tests/Fixtures/synthetic.csv", newline="") as source:
    rows = list(csv.reader(source))
header, body = rows[0], rows[1:]
unit_col, province_col = header.index("unit"), header.index("province")


def region(province):
    number = int(province[1:])
    return "north" if number <= 4 else "centre" if number <= 8 else "south"


with open("Tests/Fixtures/dimensions.csv", "w", newline="") as target:
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(header + ["region", "coastal"])
    for row in body:
        number = int(row[unit_col][1:])
        if number > 60:
            continue
        writer.writerow(row + [region(row[province_col]), "yes" if number % 3 == 1 else "no"])
