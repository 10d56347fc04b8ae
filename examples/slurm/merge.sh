#!/usr/bin/env bash
# The merge step, queued by ./submit.sh to start after every array task succeeded (--dependency=afterok:<array>):
# checks the shards belong together, that no replicate is missing, and writes what the one-machine
# `spruce boot --json` (or `spruce power --json`) prints to $OUTDIR/result.json, the text report to the job's log,
# and with PLOT=1 (power shards, set by ./submit-power.sh) the power curve to $OUTDIR/power-curve.svg.
#SBATCH --job-name=spruce-merge
#SBATCH --cpus-per-task=1
set -euo pipefail
: "${OUTDIR:?OUTDIR: the folder holding the shards}"
SPRUCE=${SPRUCE:-spruce}
# shellcheck disable=SC2086
$SPRUCE merge "$OUTDIR"/shard-*.json --json > "$OUTDIR/result.json.tmp"
mv "$OUTDIR/result.json.tmp" "$OUTDIR/result.json"
plot=()
[ "${PLOT:-}" = 1 ] && plot=(--plot "$OUTDIR/power-curve.svg")
# shellcheck disable=SC2086
$SPRUCE merge "$OUTDIR"/shard-*.json "${plot[@]}"
