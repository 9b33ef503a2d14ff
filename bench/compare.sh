#!/usr/bin/env bash
# Side-by-side: nnc bench against PyTorch (one thread, its best setting on this machine) for the
# models of bench/models. Every figure is the median of RUNS measuring windows (default 7),
# min..max beside it. PyTorch runs only when `/usr/bin/python3 -c "import torch"` works.
#
#   bench/compare.sh                      # the default table
#   CONFIGS="mlp:8 mlp:64" THREADS="1 2" RUNS=9 SECONDS_PER_FIGURE=4 bench/compare.sh
#
# Output: a Markdown table on stdout; the raw JSON lines in $OUT (default bench/results/latest.jsonl).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
CONFIGS="${CONFIGS:-mlp:8 mlp:64 mlp:256 mlp_wide:64 mlp_adam:64}"
THREADS="${THREADS:-1 2}"
RUNS="${RUNS:-7}"
SECONDS_PER_FIGURE="${SECONDS_PER_FIGURE:-3}"
WARMUP="${WARMUP:-2}"
OUT="${OUT:-$here/results/latest.jsonl}"
mkdir -p "$(dirname "$OUT")"
: > "$OUT"

have_torch=0
if /usr/bin/python3 -c "import torch" 2>/dev/null; then have_torch=1; else echo "compare: PyTorch not found (/usr/bin/python3 -c 'import torch'); nnc only" >&2; fi

"$root/bin/nnc" check "$here/models/mlp.nn" >/dev/null   # builds once, before any timing

for cfg in $CONFIGS; do
  model="${cfg%%:*}"; batch="${cfg##*:}"
  for t in $THREADS; do
    echo "compare: nnc $model batch $batch threads $t" >&2
    "$root/bin/nnc" bench "$here/models/$model.nn" --batch "$batch" --threads "$t" --runs "$RUNS" \
      --seconds "$SECONDS_PER_FIGURE" --warmup "$WARMUP" --json \
      | sed "s/^{/{\"side\":\"nnc\",\"config\":\"$model\",/" >> "$OUT"
  done
  if (( have_torch )); then
    echo "compare: torch $model batch $batch" >&2
    /usr/bin/python3 "$here/torch_bench.py" "$model" --batch "$batch" --threads 1 --runs "$RUNS" \
      --seconds "$SECONDS_PER_FIGURE" --warmup "$WARMUP" \
      | sed "s/^{/{\"side\":\"torch\",\"config\":\"$model\",/" >> "$OUT"
  fi
done

/usr/bin/env python3 "$here/table.py" "$OUT"
