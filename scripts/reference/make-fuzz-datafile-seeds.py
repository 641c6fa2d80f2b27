"""Seeds of the FuzzDataFile target (Fuzz/Corpus/datafile): the first 8 counties of mpdta (40 rows) with a
labelled region, a string county id and one missing lemp, as Stata formats 118 and 113 and SPSS .sav.
Run from the repository root with /opt/didlab-readstat-venv/bin/python (pyreadstat 1.3.8); small
files, since libFuzzer reads at most 64 KiB of an input (scripts/fuzz.sh -max_len)."""
import pandas as pd, pyreadstat, os
df = pd.read_csv("Tests/Fixtures/mpdta.csv").rename(columns={"first.treat": "first_treat"})
df = df[df.countyreal.isin(sorted(df.countyreal.unique())[:8])].copy()
df["region"] = (df.countyreal % 4 + 1).astype("int8")
df["county"] = "c" + df.countyreal.astype(str)
df.loc[df.index[3], "lemp"] = float("nan")
labels = {"region": {1: "East", 2: "West", 3: "North", 4: "South"}}
out = "Fuzz/Corpus/datafile"
pyreadstat.write_dta(df, f"{out}/mpdta-40-v118.dta", version=15, variable_value_labels=labels,
)
pyreadstat.write_dta(df, f"{out}/mpdta-40-v113.dta", version=8, variable_value_labels=labels)
pyreadstat.write_sav(df, f"{out}/mpdta-40.sav", variable_value_labels=labels)
for f in sorted(os.listdir(out)): print(f, os.path.getsize(f"{out}/{f}"))
