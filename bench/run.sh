#!/usr/bin/env bash
# One command: mozaiks-ai side by side with the peers of the shared harness (bench/peers).
#
#   bench/run.sh                 # our lines + the default peer selection (~20 min on 2 cores)
#   FULL=1 bench/run.sh          # the whole peers matrix (Temporal, Prefect server-pg ...) plus ours
#   ONLY=mozaiks bench/run.sh    # only matrix lines whose script name contains "mozaiks"
#   REPEAT=3 bench/run.sh        # fewer timed repeats (default 5)
#   CLEAN=0 bench/run.sh         # keep bench/results/state and the bench databases (default: wipe)
#   SKIP_CLI=1 bench/run.sh      # skip bench/cold_start.sh (mozaiks-ai run hello-world)
#
# The harness is not copied: a temporary directory gets a symlink to every file of the peers
# directory, a symlink to bench/bench_mozaiks.py and our matrix file, and its run_all.sh runs
# with the peers venv bench/.venv-peers (created on first use). Nothing is written into the peers
# directory; results go to bench/results/ (run-<stamp>.jsonl, run-<stamp>.md, logs/, state/).
# PostgreSQL is expected on 127.0.0.1:5432, user postgres, no password (trust auth).
set -euo pipefail
BENCH="$(cd "$(dirname "$(readlink -f "$0")")" && pwd)"
REPO="$(dirname "$BENCH")"
PEERS="$(readlink -f "${MOZAIKS_BENCH_PEERS:-$REPO/../shared/bench/peers}")"
VENV="$BENCH/.venv-peers"
RESULTS="${BENCH_RESULTS_DIR:-$BENCH/results}"
TABLE_REF="${TABLE_REF:-asyncio/sqlite-full}"
export MOZAIKS_BENCH_PEERS="$PEERS"
[[ -f "$PEERS/common.py" && -f "$PEERS/run_all.sh" ]] || { echo "no peers harness at $PEERS" >&2; exit 2; }
mkdir -p "$RESULTS/logs"

# (a) the peers venv: pinned peers + our runtime (editable), reused while the pins are unchanged
want="$(cat "$PEERS/requirements-peers.txt" "$REPO/packages/mozaiks-ai/pyproject.toml" | sha256sum | cut -c1-16)"
if [[ ! -x "$VENV/bin/python" || "$(cat "$VENV/.bench-installed" 2>/dev/null)" != "$want" ]]; then
  echo "[run.sh] creating $VENV (log: $RESULTS/logs/venv-peers.log)" >&2
  PYTHON="$(command -v python3.11 || command -v python3)"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -r "$PEERS/requirements-peers.txt" > "$RESULTS/logs/venv-peers.log" 2>&1
  "$VENV/bin/pip" install -e "$REPO/packages/mozaiks-ai[postgres]" >> "$RESULTS/logs/venv-peers.log" 2>&1
  echo "$want" > "$VENV/.bench-installed"
fi
if ! command -v hyperfine >/dev/null; then
  echo "[run.sh] installing hyperfine (Debian package)" >&2
  apt-get install -y hyperfine >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y hyperfine >/dev/null; }
fi
pg_isready -q -h 127.0.0.1 -p 5432 || echo "[run.sh] WARNING: no PostgreSQL on 127.0.0.1:5432; the postgres lines will fail" >&2

# (b) a temporary harness directory: symlinks only, plus our matrix
WORK="$(mktemp -d /tmp/mozaiks-bench-XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
shopt -s dotglob nullglob
for f in "$PEERS"/*; do
  case "$(basename "$f")" in .venv|results|__pycache__) continue ;; esac
  ln -s "$f" "$WORK/"
done
shopt -u dotglob nullglob
ln -s "$BENCH/bench_mozaiks.py" "$WORK/bench_mozaiks.py"
ln -s "$VENV" "$WORK/.venv"   # prefect_server.sh / temporal_server.sh use $HERE/.venv (FULL=1 only)

OURS="bench_mozaiks.py    sqlite          s1
bench_mozaiks.py    sqlite          s2
bench_mozaiks.py    sqlite          s3
bench_mozaiks.py    sqlite          s3  --fresh-state
bench_mozaiks.py    sqlite-normal   s1
bench_mozaiks.py    sqlite-normal   s2
bench_mozaiks.py    postgres        s1
bench_mozaiks.py    postgres        s2
bench_mozaiks.py    postgres        s3
bench_mozaiks.py    postgres        s3  --fresh-state"
MATRIX="$WORK/matrix-mozaiks.txt"
# peers lines kept by default: every asyncio floor, DBOS sqlite + postgres, LangGraph sqlite,
# Prefect ephemeral (S1, the reduced S2 line, S3); FULL=1 keeps the whole peers matrix.
awk -v full="${FULL:-0}" -v ours="$OURS" '
  /^[[:space:]]*(#|$)/ { next }
  { s = $1; v = $2; keep = (full == 1) }
  s == "bench_asyncio.py" { keep = 1 }
  s == "bench_dbos.py" && (v == "sqlite" || v == "postgres") { keep = 1 }
  s == "bench_langgraph.py" && v == "sqlite" { keep = 1 }
  s == "bench_prefect.py" && v == "ephemeral" && $0 !~ /--fresh-state/ { keep = 1 }
  s != "bench_asyncio.py" && !printed { print ours; printed = 1 }
  keep { print }
  END { if (!printed) print ours }
' "$PEERS/matrix.txt" > "$MATRIX"
echo "[run.sh] matrix ($(grep -c . "$MATRIX") lines): $MATRIX" >&2
sed 's/^/    /' "$MATRIX" >&2

# (c) run the harness, then the CLI cold start, then the combined table
before="$WORK/.started"; touch "$before"
PY="$VENV/bin/python" MATRIX="$MATRIX" BENCH_RESULTS_DIR="$RESULTS" TABLE_REF="$TABLE_REF" \
  CLEAN="${CLEAN:-1}" PGPASSWORD="${PGPASSWORD:-}" \
  BENCH_PG_URL="${BENCH_PG_URL:-postgresql://postgres@127.0.0.1:5432/dbos_bench}" \
  BENCH_PREFECT_PG_URL="${BENCH_PREFECT_PG_URL:-postgresql+asyncpg://postgres@127.0.0.1:5432/prefect_bench}" \
  BENCH_MOZAIKS_PG_URL="${BENCH_MOZAIKS_PG_URL:-postgresql://postgres@127.0.0.1:5432/mozaiks_bench}" \
  "$WORK/run_all.sh" > "$WORK/run_all.table.md"
OUT="$(find "$RESULTS" -maxdepth 1 -name 'run-*.jsonl' -newer "$before" | sort | tail -n 1)"
[[ -n "$OUT" ]] || { echo "run_all.sh wrote no results" >&2; exit 1; }
if [[ "${SKIP_CLI:-0}" != 1 ]]; then
  "$BENCH/cold_start.sh" "$OUT" > /dev/null || echo "[run.sh] cold_start.sh failed" >&2
fi
MD="${OUT%.jsonl}.md"
{
  "$VENV/bin/python" "$PEERS/table.py" "$OUT" --ref "$TABLE_REF"
  echo
  "$VENV/bin/python" "$BENCH/targets.py" "$OUT"
} > "$MD"
cat "$MD"
echo >&2
echo "JSON lines: $OUT" >&2
echo "table:      $MD" >&2
