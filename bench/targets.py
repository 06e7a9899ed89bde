#!/usr/bin/env python3
"""Print mozaiks-ai's three benchmark targets from one results file of bench/run.sh.

usage: targets.py RESULTS.jsonl

  S1  our µs/step ÷ DBOS µs/step, same store kind (target ≤ 0.1)
  S2  our workflows/s ÷ DBOS workflows/s, same store kind (target ≥ 10)
  S3  `mozaiks-ai run hello-world` as a whole process (target ≤ 0.5 s)

Each ratio is given for the medians, and as the range the repeats allow (worst/best pairing of
min and max), so noise is visible.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def load(path: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    with open(path) as f:
        for line in f:
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            if r.get("error") or "value" not in r:
                continue
            sc = r["scenario"] + ("-fresh" if r.get("fresh_state") else "")
            rows[(r["peer"], r["variant"], sc)] = r["value"]
    return rows


def fmt(x: float) -> str:
    return f"{x:.3g}"


def main() -> None:
    rows = load(sys.argv[1])
    out = ["| target | ours | DBOS | ratio, medians (range over repeats) | goal | met? |", "|---|---|---|---|---|---|"]
    for ours_v, dbos_v in (("sqlite", "sqlite"), ("postgres", "postgres")):
        a, b = rows.get(("mozaiks-ai", ours_v, "s1")), rows.get(("dbos", dbos_v, "s1"))
        if a and b:
            r = a["median"] / b["median"]
            out.append(
                f"| S1 µs/step, ours ÷ DBOS ({ours_v}) | {fmt(a['median'])} | {fmt(b['median'])} | "
                f"**{fmt(r)}** ({fmt(a['min'] / b['max'])}–{fmt(a['max'] / b['min'])}) | ≤ 0.1 | "
                f"{'yes' if r <= 0.1 else 'no'} |"
            )
    for ours_v, dbos_v in (("sqlite", "sqlite"), ("postgres", "postgres")):
        a, b = rows.get(("mozaiks-ai", ours_v, "s2")), rows.get(("dbos", dbos_v, "s2"))
        if a and b:
            r = a["median"] / b["median"]
            out.append(
                f"| S2 workflows/s, ours ÷ DBOS ({ours_v}) | {fmt(a['median'])} | {fmt(b['median'])} | "
                f"**{fmt(r)}** ({fmt(a['min'] / b['max'])}–{fmt(a['max'] / b['min'])}) | ≥ 10 | "
                f"{'yes' if r >= 10 else 'no'} |"
            )
    for sc, label in (("s3", "existing DB"), ("s3-fresh", "fresh DB")):
        a = rows.get(("mozaiks-ai-cli", "sqlite", sc))
        if a:
            out.append(
                f"| S3 `mozaiks-ai run hello-world` whole process, {label} | {fmt(a['median'])} s "
                f"({fmt(a['min'])}–{fmt(a['max'])}) | — | — | ≤ 0.5 s | {'yes' if a['median'] <= 0.5 else 'no'} |"
            )
    print("\n".join(out))


if __name__ == "__main__":
    main()
