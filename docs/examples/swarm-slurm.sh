#!/bin/bash
# A swarm of 8 spex jobs as a Slurm job array, then their merge (docs/scale.md#swarm).
# Array task i runs `spex check --swarm i/8` and writes its result to a shared directory.
#
#   jobid=$(sbatch --parsable docs/examples/swarm-slurm.sh)
#   sbatch --dependency=afterany:$jobid --wrap \
#     "spex swarm merge swarm-results/job-*.json --spec spec/memcg/reparent.spex --out-itf swarm-results/trace.itf.json"
#
# SPEC, CHECK, SEED and RESULTS may be set in the environment (sbatch passes it on).
#SBATCH --job-name=spex-swarm
#SBATCH --array=1-8
#SBATCH --cpus-per-task=1
#SBATCH --mem=4G
#SBATCH --time=04:00:00
#SBATCH --output=spex-swarm-%A_%a.log

set -u
jobs=${SLURM_ARRAY_TASK_COUNT:-8}
i=${SLURM_ARRAY_TASK_ID:?run me with sbatch (an array task)}
spec=${SPEC:-spec/memcg/reparent.spex}
results=${RESULTS:-swarm-results}
mkdir -p "$results"

args=(check "$spec" --swarm "$i/$jobs" --seed "${SEED:-0}" --max-memory 3g --quiet --out "$results/job-$i.json")
if [ -n "${CHECK:-}" ]; then args+=(--check "$CHECK"); fi
spex "${args[@]}"
code=$?
# A violation (11, 12, 13), a run-time error of the spec (75) or a partial search (152) is a
# result for the merge, not a failed task; a crash (255) is.
case $code in
  0 | 11 | 12 | 13 | 75 | 152) exit 0 ;;
  *) exit "$code" ;;
esac
