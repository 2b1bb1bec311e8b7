#!/usr/bin/env python3
"""Write N synthetic events in the UCDP GED CSV layout (for import
benchmarks and demos without the real data). Seeded: the same N gives the
same file. Usage: gen_ucdp.py N OUT.csv [CENTRES.csv]"""
import csv
import math
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(20261123)
centres = []
if len(sys.argv) > 3:
    try:
        with open(sys.argv[3], encoding="utf-8") as f:
            for row in csv.DictReader(f):
                centres.append((float(row["longitude"]), float(row["latitude"]),
                                row.get("where_coordinates", "")))
    except OSError:
        pass
if not centres:
    centres = [(29.22, -1.68, "Goma"), (29.23, 0.51, "Beni"), (18.56, 4.36, "Bangui"),
               (-3.99, 16.77, "Timbuktu"), (31.58, 4.85, "Juba"), (45.34, 2.04, "Mogadishu")]
sides = ["Government of X", "Rebel group A", "Militia B", "Civilians"]
cols = ["id", "relid", "year", "type_of_violence", "dyad_name", "side_a", "side_a_new_id",
        "side_b", "side_b_new_id", "where_prec", "where_coordinates", "adm_1", "latitude",
        "longitude", "country", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b",
        "deaths_civilians", "deaths_unknown", "best", "low", "high"]
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(cols)
    for i in range(n):
        lon, lat, place = rng.choice(centres)
        lon = max(-179.9, min(179.9, lon + rng.gauss(0, 0.25)))
        lat = max(-89.9, min(89.9, lat + rng.gauss(0, 0.25)))
        year = 1989 + int(35 * math.sqrt(rng.random()))
        day = "%04d-%02d-%02d" % (year, rng.randint(1, 12), rng.randint(1, 28))
        tov = rng.randint(1, 3)
        a, b = rng.sample(sides, 2)
        da, db, dc = rng.randint(0, 5), rng.randint(0, 5), rng.randint(0, 3)
        best = da + db + dc
        w.writerow([i + 1, "SYN-%d" % i, year, tov, "%s - %s" % (a, b), a, sides.index(a) + 1,
                    b, sides.index(b) + 1, rng.randint(1, 6), place, "Province", "%.5f" % lat,
                    "%.5f" % lon, "Country", 1, day + " 00:00:00", day + " 00:00:00", da, db, dc,
                    0, best, best, best + rng.randint(0, 3)])
