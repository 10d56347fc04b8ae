#!/usr/bin/env bash
# Submit a sharded power simulation to SLURM: an array of SHARDS tasks (power-array.sh), then the merge
# (merge.sh, which also draws OUTDIR/power-curve.svg) as a job that runs once every task succeeded.
#
#   examples/slurm/submit-power.sh DATA "FORMULA" TEST EFFECT ALONG SIZES NSIM SEED SHARDS OUTDIR [--wait]
#
# ALONG and SIZES may be "" (the observed design only). NSIM is per size; the shards cut NSIM × sizes replicates.
set -euo pipefail
if [ $# -lt 10 ]; then
  sed -n '2,7p' "$0" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
export DATA=$(realpath "$1") FORMULA=$2 TEST=$3 EFFECT=$4 ALONG=$5 SIZES=$6 NSIM=$7 SEED=$8
export SHARDS=$9
shards=$9
mkdir -p "${10}"
export OUTDIR=$(realpath "${10}") PLOT=1
export SPRUCE=${SPRUCE:-spruce}
wait_flag=()
[ "${11:-}" = "--wait" ] && wait_flag=(--wait)

array=$(sbatch --parsable --array="0-$((shards - 1))" --export=ALL \
  --output="$OUTDIR/power-%A_%a.log" "$here/power-array.sh")
array=${array%%;*}
echo "array job $array: $shards shards of a power simulation ($NSIM per size)"
merge=$(sbatch --parsable "${wait_flag[@]}" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --export=ALL --output="$OUTDIR/merge-%j.log" "$here/merge.sh")
echo "merge job ${merge%%;*} (after $array succeeds): $OUTDIR/result.json"
