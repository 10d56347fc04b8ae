#!/usr/bin/env bash
# One task of a SLURM job array: runs shard $SLURM_ARRAY_TASK_ID of $SHARDS of the parametric bootstrap (spruce
# reads the task id itself: --shard auto --shards $SHARDS) and writes it to $OUTDIR/shard-<task>.json.
# Submit through ./submit.sh (which also queues the merge), or by hand:
#   sbatch --array=0-3 --export=ALL,DATA=…,NULL_MODEL=…,ALT_MODEL=…,NSIM=1000,SEED=1,SHARDS=4,OUTDIR=… boot-array.sh
# A failed task is rerun alone with the same settings and --array=<its index>: its shard file is replaced.
#SBATCH --job-name=spruce-boot
#SBATCH --cpus-per-task=1
set -euo pipefail
: "${DATA:?DATA: the CSV file}" "${NULL_MODEL:?NULL_MODEL: the null formula}" "${ALT_MODEL:?ALT_MODEL: the larger formula}"
: "${NSIM:?NSIM: replicates in the whole run}" "${SEED:?SEED: the seed (the same for every task)}" "${OUTDIR:?OUTDIR: folder for the shards}"
: "${SHARDS:?SHARDS: the number of shards (array indices 0…SHARDS-1)}"
SPRUCE=${SPRUCE:-spruce}

# One worker thread per CPU SLURM gave the task; the numbers do not depend on it.
# shellcheck disable=SC2086  # SPRUCE may be a command with arguments ("node dist/cli/main.js")
$SPRUCE boot "$DATA" "$NULL_MODEL" "$ALT_MODEL" --nsim "$NSIM" --seed "$SEED" \
  --workers "${SLURM_CPUS_PER_TASK:-1}" --shard auto --shards "$SHARDS" --out "$OUTDIR/shard-$SLURM_ARRAY_TASK_ID.json"
