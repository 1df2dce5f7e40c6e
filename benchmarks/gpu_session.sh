#!/usr/bin/env bash
# The GPU measurements of one lent device session, in one call (device time is scarce: 15 min per session).
# Runs from the repository root on a machine whose python has jax[cuda], diffrax and equinox (zarr is not needed).
# Every part has its own time limit so that one overrun does not cost the others; everything worth keeping goes
# to $OUT (the device tool brings back at most 8 files).
#
#   OUT=/tmp/gpu bash benchmarks/gpu_session.sh [fig6-seconds] [mb-seconds] [fm-seconds]
set -u
OUT=${OUT:-/tmp/jaxhiggs-gpu}
mkdir -p "$OUT"
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
LOG=$OUT/gpu_session.log
FIG6_S=${1:-270}
MB_S=${2:-200}
FM_S=${3:-90}
{
  date -u
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  python3 -c "import jax, diffrax, equinox; print('jax', jax.__version__, jax.devices(), 'diffrax', diffrax.__version__)"

  # 1. Krull Fig. 6 (finite-momentum pump–probe σ(δt, ω)), the example's full mode
  echo "=== fig6 full (limit ${FIG6_S} s)"
  start=$(date +%s)
  timeout "$FIG6_S" python3 examples/krull_finite_q_fig6.py --out "$OUT" --no-progress
  echo "fig6 rc $? wall $(( $(date +%s) - start )) s"

  # 2. Mattis–Bardeen, the seed-000 authors' case: N_e = 200, 600 (one band), defaults + work-precision;
  #    the NumPy reference's evaluation is timed on this host's CPU, its count (7502) is the CPU run's
  echo "=== mattis-bardeen one band (limit ${MB_S} s)"
  (cd benchmarks && timeout "$MB_S" python3 bench_mattis_bardeen.py --sizes 200 600 --ref-max 0 --ref-nfev 7502 \
      --solvers ExponentialRK4 Tsit5 --write)
  echo "mb rc $?"
  cp benchmarks/results/mattis_bardeen_gpu.json "$OUT/" 2>/dev/null

  # 3. the finite-momentum model's vector field and 0–3 ps pump solves on finer grids
  echo "=== finite momentum (limit ${FM_S} s)"
  (cd benchmarks && timeout "$FM_S" python3 bench_finite_momentum.py --grids 4e-3:4 2e-3:8 --write)
  echo "fm rc $?"
  cp benchmarks/results/finite_momentum_gpu.json "$OUT/" 2>/dev/null
  date -u
} 2>&1 | tee "$LOG"
