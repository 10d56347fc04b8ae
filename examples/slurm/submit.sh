#!/usr/bin/env bash
# Submit a sharded bootstrap to SLURM: an array of SHARDS tasks, then the merge as a job that depends on the whole
# array (afterok: it runs only when every task succeeded). Prints the two job ids.
#
#   examples/slurm/submit.sh DATA "NULL" "ALT" NSIM SEED SHARDS OUTDIR [--wait]
#
# --wait: block until the merge job ends (sbatch --wait), e.g. in a script or a test. Set SPRUCE to the command
# that runs spruce (default: `spruce` on the PATH; e.g. SPRUCE="node $PWD/dist/cli/main.js").
# Rerunning a failed task (sbatch --array=<k> boot-array.sh with the same settings, SHARDS included) replaces its
# shard file; then rerun merge.sh (or `spruce merge OUTDIR/shard-*.json`).
set -euo pipefail
if [ $# -lt 7 ]; then
  sed -n '2,11p' "$0" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
export DATA=$(realpath "$1") NULL_MODEL=$2 ALT_MODEL=$3 NSIM=$4 SEED=$5
export SHARDS=$6
shards=$6
mkdir -p "$7"
export OUTDIR=$(realpath "$7")
export SPRUCE=${SPRUCE:-spruce}
wait_flag=()
[ "${8:-}" = "--wait" ] && wait_flag=(--wait)

array=$(sbatch --parsable --array="0-$((shards - 1))" --export=ALL \
  --output="$OUTDIR/boot-%A_%a.log" "$here/boot-array.sh")
array=${array%%;*}
echo "array job $array: $shards shards of $NSIM replicates"
merge=$(sbatch --parsable "${wait_flag[@]}" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --export=ALL --output="$OUTDIR/merge-%j.log" "$here/merge.sh")
echo "merge job ${merge%%;*} (after $array succeeds): $OUTDIR/result.json"
