#!/usr/bin/env bash
# One task of a SLURM job array: shard $SLURM_ARRAY_TASK_ID of $SHARDS of a power simulation (--shard auto),
# written to $OUTDIR/shard-<task>.json. Submit through ./submit-power.sh, which also queues the merge.
#SBATCH --job-name=spruce-power
#SBATCH --cpus-per-task=1
set -euo pipefail
: "${DATA:?}" "${FORMULA:?}" "${TEST:?}" "${EFFECT:?}" "${NSIM:?}" "${SEED:?}" "${SHARDS:?}" "${OUTDIR:?}"
SPRUCE=${SPRUCE:-spruce}
along=()
[ -n "${ALONG:-}" ] && along=(--along "$ALONG" --sizes "$SIZES")
# shellcheck disable=SC2086  # SPRUCE may be a command with arguments ("node dist/cli/main.js")
$SPRUCE power "$DATA" "$FORMULA" --test "$TEST" --effect "$EFFECT" "${along[@]}" --nsim "$NSIM" --seed "$SEED" \
  --workers "${SLURM_CPUS_PER_TASK:-1}" --shard auto --shards "$SHARDS" --out "$OUTDIR/shard-$SLURM_ARRAY_TASK_ID.json"
