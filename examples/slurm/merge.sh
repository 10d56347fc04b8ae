#!/usr/bin/env bash
# The merge step, queued by ./submit.sh to start after every array task succeeded (--dependency=afterok:<array>):
# checks the shards belong together, that no replicate is missing, and writes what the one-machine
# `spruce boot --json` prints to $OUTDIR/result.json (the text report to the job's log).
#SBATCH --job-name=spruce-merge
#SBATCH --cpus-per-task=1
set -euo pipefail
: "${OUTDIR:?OUTDIR: the folder holding the shards}"
SPRUCE=${SPRUCE:-spruce}
# shellcheck disable=SC2086
$SPRUCE merge "$OUTDIR"/shard-*.json --json > "$OUTDIR/result.json.tmp"
mv "$OUTDIR/result.json.tmp" "$OUTDIR/result.json"
# shellcheck disable=SC2086
$SPRUCE merge "$OUTDIR"/shard-*.json
