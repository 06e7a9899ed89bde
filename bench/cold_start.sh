#!/usr/bin/env bash
# S3 for the real CLI: `mozaiks-ai run hello-world --json` as a whole process (exec to exit),
# timed by hyperfine -N, from an empty temporary working directory (so the store is the default
# ./.mozaiks/mozaiks.db and the workflow is the bundled example), twice:
#   existing DB  the store file already exists (the usual case; made by the warm-up run)
#   fresh DB     ./.mozaiks is deleted before every run (hyperfine --prepare): schema creation included
# Each one becomes one JSON line in the peers-bench/1 shape (peer "mozaiks-ai-cli", scenario s3),
# appended to RESULTS_JSONL (default: bench/results/cold-start-<UTC stamp>.jsonl) and printed.
#
#   bench/cold_start.sh [RESULTS_JSONL]
#   REPEAT=10 bench/cold_start.sh        # timed runs per case (default 5, after 1 warm-up)
#   MOZAIKS_CLI=/path/to/mozaiks-ai bench/cold_start.sh
set -euo pipefail
BENCH="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
REPO="$(dirname "$BENCH")"
CLI="${MOZAIKS_CLI:-$REPO/.venv/bin/mozaiks-ai}"
PY="$(dirname "$CLI")/python"
[[ -x "$PY" ]] || PY=python3
REPEAT="${REPEAT:-5}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="${1:-$BENCH/results/cold-start-$STAMP.jsonl}"
LOGS="$(dirname "$OUT")/logs"
mkdir -p "$LOGS"

if ! command -v hyperfine >/dev/null; then
  echo "hyperfine not found; installing the Debian package" >&2
  apt-get install -y hyperfine >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y hyperfine >/dev/null; }
fi
[[ -x "$CLI" ]] || { echo "no mozaiks-ai at $CLI (create the repo venv first, or set MOZAIKS_CLI)" >&2; exit 2; }

# No project configuration may leak in: default store, default workflow roots.
unset MOZAIKS_DB_URL MOZAIKS_WORKFLOWS_PATH WORKFLOWS_PATH WORKFLOWS_ENABLED

WORK="$(mktemp -d /tmp/mozaiks-cold-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"   # hyperfine runs the command in its own cwd: this empty folder

for fresh in 0 1; do
  tag=$([[ $fresh == 1 ]] && echo fresh || echo existing)
  export_json="$WORK/hyperfine-$tag.json"
  hargs=(-N --style none --warmup 1 --runs "$REPEAT" --export-json "$export_json")
  [[ $fresh == 1 ]] && hargs+=(--prepare "rm -rf $WORK/.mozaiks")
  echo "[$(date -u +%H:%M:%S)] hyperfine: $CLI run hello-world --json ($tag DB)" >&2
  hyperfine "${hargs[@]}" "$CLI run hello-world --json" > "$LOGS/mozaiks-ai-cli-s3-$tag.hyperfine.log" 2>&1 \
    || { echo "hyperfine failed, see $LOGS/mozaiks-ai-cli-s3-$tag.hyperfine.log" >&2; exit 1; }

  # untimed check: one more run, its printed result and what the store holds for it
  [[ $fresh == 1 ]] && rm -rf "$WORK/.mozaiks"
  "$CLI" run hello-world --json > "$WORK/run.json" 2>> "$LOGS/mozaiks-ai-cli-s3-$tag.hyperfine.log"
  run_id="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["run_id"])' "$WORK/run.json")"
  "$CLI" runs show "$run_id" > "$WORK/show.json" 2>> "$LOGS/mozaiks-ai-cli-s3-$tag.hyperfine.log"

  line="$("$PY" - "$export_json" "$WORK/run.json" "$WORK/show.json" "$fresh" "$REPEAT" "$CLI" <<'EOF'
import datetime, json, os, platform, statistics, subprocess, sys
export, run_file, show_file, fresh, repeat, cli = sys.argv[1:]
times = json.load(open(export))["results"][0]["times"]
st = lambda xs: {"median": statistics.median(xs), "min": min(xs), "max": max(xs)}
run, show = json.load(open(run_file)), json.load(open(show_file))
steps = show.get("steps", [])
ok = (run.get("status") == "succeeded" and run.get("output") == "Hello, World!"
      and show.get("status") == "succeeded" and len(steps) == 1 and steps[0]["status"] == "completed")
py = os.path.join(os.path.dirname(cli), "python")
version = subprocess.run([py, "-c", "from importlib.metadata import version; print(version('mozaiks-ai'))"],
                         capture_output=True, text=True).stdout.strip() or "?"
pyver = subprocess.run([py, "-c", "import platform; print(platform.python_version())"],
                       capture_output=True, text=True).stdout.strip() or platform.python_version()
rec = {
    "schema": "peers-bench/1", "peer": "mozaiks-ai-cli", "variant": "sqlite", "version": version,
    "scenario": "s3", "n": 1, "durable": True,
    "describe": "`mozaiks-ai run hello-world --json` as a whole process from an empty cwd "
                "(default store ./.mozaiks/mozaiks.db: SQLite WAL, synchronous=FULL; bundled example, 1 echo step)",
    "python": pyver, "cpus": os.cpu_count(),
    "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "repeat": int(repeat), "warmup": 1, "steps": 1, "workflows": 1, "fresh_state": fresh == "1",
    "runs_s": times, "wall_s": st(times), "metric": "cold_start_s", "value": st(times),
    "timer": "hyperfine -N (whole process)",
    "verify": {"ok": ok, "status": show.get("status"), "output": run.get("output"), "persisted_steps": len(steps)},
    "verified": ok,
}
print(json.dumps(rec))
EOF
)"
  echo "$line" >> "$OUT"
  echo "$line"
done
echo "JSON lines appended to $OUT" >&2
