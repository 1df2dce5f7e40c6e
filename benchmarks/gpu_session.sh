#!/usr/bin/env bash
# The GPU measurements of a lent device session, in one call (device time is scarce: 15 min per session).
# Runs from the repository root on a machine whose python has jax[cuda], diffrax and equinox (zarr is not needed).
# Each part has its own time limit, so one overrun does not cost the others; everything worth keeping goes to $OUT
# (the device tool brings back at most 8 files, at most two folders down).
#
#   OUT=/tmp/gpu bash benchmarks/gpu_session.sh [PART[:SECONDS] ...]
#
# Parts (default: what is still pending: fig6smallq (the Leggett line in σ(δt, ω) where the pump kicks the phase) and
# mb1ref (the side-by-side ratio with the free evolution, now the GPU default too); then fig6qpr8 (does a probe with
# little low-frequency weight remove the ν = ħω diagonal and leave the horizontal lines?), mb2big (two bands at
# N_e = 600 with the free evolution), fig6fine over the whole 1…9 ps at 0.25 ps, FIG6_DELAYS=1:9:33, ≈ 2.4× the 184 s
# of 1:5:17, and fig6qpr on a finer delay grid.  Done on an H100 2026-11-26: mbfree, fig6probe, fig1free, fig6qpr at
# 1:5:17 (198 s)):
#   fig6      examples/krull_finite_q_fig6.py, full mode (H200 2026-11-26: 190 s)
#   fig6fine  the same on the finer grid --grid 2e-3:8 (≈ 4× the state) at the delays $FIG6_DELAYS (default 1:5:17,
#             0.25 ps apart so that ħω_δt reaches 8.3 meV: H200 184 s; 1:9:11 took 166 s)
#   fig6qpr   the full mode's q₀ = 4e-3 nm⁻¹ on a 3× finer k_x grid with the probe at its own q_pr = q₀/3
#             (FiniteMomentum(probe_steps=1), one probe phase: no phase-conjugate part at q_pr), delays $FIG6_DELAYS
#   fig6qpr8  fig6qpr with a 0.6 ps probe at 8 meV: little weight near zero frequency, so the ν = ħω diagonal of
#             fig6qpr (pair coherences the pump left, read out by the probe's low frequencies) should be gone
#   fig6rows  Fig. 6 on the rows that resolve the continuum at fixed q₀ = 8e-3 nm⁻¹ (dk = 2.5e-4, q₀ = 32 dk: the
#             Fig. 2/3/5 examples' --quick rows halved, so that the 13 ps records end before the rows' recurrence
#             time, 12.7 ps after the pump's half maximum; the quick rows revive from 7.15 ps), probe at q_pr =
#             10 dk = 2.5e-3 nm⁻¹, 0.6 ps at 8 meV, v = $FIG6_V (default 0.05: ω_L = 4.74 and ω_H2 = 5.74 meV, 1 meV
#             apart), delays $FIG6_DELAYS (default 2:10:33: ħω_δt to 8.3 meV at 0.52 meV resolution, 34 runs of
#             13 ps, 9 × 10⁵ complex each).  Run on the 2-core CPU, on the dk = 5e-4 rows,
#             2026-11-27 with --store: v = 0.02, delays 2:7:21 (62 min: an ω_H2 line, no ω_L line, docs) and
#             v = 0.05, delays 2:8.3:22 (docs: "Fig. 6 on the resolved rows")
#   fig6smallq Fig. 6 where the pump rings the relative phase by tenths of a radian: q₀ = 1.6e-4 nm⁻¹ (4× a THz
#             photon's momentum) = 3 dk, |A₀| = 5e-8, probe at q_pr = dk, 0.6 ps at 8 meV, n_max 2, v = $FIG6_V (0.05),
#             delays $FIG6_DELAYS (2:8:21: ħω_δt to 6.9 meV, 0.69 meV resolution).  Pump-only on the CPU (docs
#             "Closer to Krull's regime", q₀ = dk, n_max 4): φ₀ = 0.335 rad, the 2ω_L line of |Δ₂| twice its ω_H2
#             line.  Not run yet: 3.6 × 10⁶ complex per run, 8× fig6rows (the limit is a guess)
#   fig6probe the fine-grid run with the probe at 8.5 meV instead of 5.5: do the diagonal δt streaks follow the
#             probe (then σ is not a property of the pumped state alone)?  Compare with analyse_fig6.py
#   mb1       bench_mattis_bardeen.py, one band, N_e = 200, 600 (H200: ~150 s); its "default" record uses the
#             closed-form free evolution after the pulse, its "alternative" integrates the whole window
#   mbfree    mb1 at N_e = 200, 600, ExponentialRK4 only, written to results/mattis_bardeen_free_gpu.json (H100: 108 s)
#   mb2       the same, two bands (H200: N_e = 200 in ~120 s; 600 was cut at 180 s)
#   mb1ref    one band, N_e = 200, with the reference run in full on the host CPU (a measured ratio, not an estimate)
#             (results/mattis_bardeen_200_measured_gpu.json; H200: 104 s)
#   mb2big    two bands, N_e = 600 only, ExponentialRK4 only (results/mattis_bardeen_two_band_600_gpu.json; H200: 109 s)
#   fig1free  bench_fig1_sweep.py with the default options (the free evolution after the pulse) and with
#             --free-evolution off, one after the other (results/fig1_sweep_default*_gpu.json)
#   fm        bench_finite_momentum.py, grids 4e-3:4 and 2e-3:8 (H200: ~60 s)
#   pseudo    bench_pseudospin.py, N_e = 4000, 15 024, single and batches of 16, default options, against the NumPy
#             reference on the host CPU (wall-time ratios; H200: 97 s)
set -u
OUT=${OUT:-/tmp/jaxhiggs-gpu}
mkdir -p "$OUT"
export PYTHONPATH=$PWD PYTHONUNBUFFERED=1
LOG=$OUT/gpu_session.log
PARTS=("$@")
[ ${#PARTS[@]} -eq 0 ] && PARTS=(fig6smallq:480 mb1ref:200)

run_part() {  # name seconds
  local name=$1 limit=$2 start rc result=""
  start=$(date +%s)
  echo "=== $name (limit $limit s)"
  case $name in
    fig6) timeout "$limit" python3 examples/krull_finite_q_fig6.py --out "$OUT/fig6" --no-progress ;;
    fig6probe) timeout "$limit" python3 examples/krull_finite_q_fig6.py --grid 2e-3:8 --delays "${FIG6_DELAYS:-1:5:17}" \
                 --probe-mev 8.5 --out "$OUT/fig6probe" --no-progress ;;
    fig6qpr) timeout "$limit" python3 examples/krull_finite_q_fig6.py --grid 1.333e-3:4:3 --probe-steps 1 \
                 --delays "${FIG6_DELAYS:-1:5:17}" --out "$OUT/fig6qpr" --no-progress ;;
    fig6qpr8) timeout "$limit" python3 examples/krull_finite_q_fig6.py --grid 1.333e-3:4:3 --probe-steps 1 \
                 --probe-mev 8 --probe-fwhm 0.6 --delays "${FIG6_DELAYS:-1:5:17}" --out "$OUT/fig6qpr8" --no-progress ;;
    fig6rows) timeout "$limit" python3 examples/krull_finite_q_fig6.py --quick --grid 2.5e-4:2:32 --probe-steps 10 --v "${FIG6_V:-0.05}" \
                 --a0 1e-9 --probe-mev 8 --probe-fwhm 0.6 --delays "${FIG6_DELAYS:-2:10:33}" --out "$OUT/fig6rows" --no-progress ;;
    fig6smallq) timeout "$limit" python3 examples/krull_finite_q_fig6.py --quick --grid 5.3333e-5:2:3 --probe-steps 1 \
                 --v "${FIG6_V:-0.05}" --a0 5e-8 --probe-mev 8 --probe-fwhm 0.6 --delays "${FIG6_DELAYS:-2:8:21}" \
                 --out "$OUT/fig6smallq" --no-progress ;;
    fig6fine) timeout "$limit" python3 examples/krull_finite_q_fig6.py --grid 2e-3:8 --delays "${FIG6_DELAYS:-1:5:17}" --out "$OUT/fig6fine" --no-progress ;;
    mb1) result=mattis_bardeen_gpu.json
         (cd benchmarks && timeout "$limit" python3 bench_mattis_bardeen.py --sizes 200 600 --ref-max 0 \
            --ref-nfev 7502 --solvers ExponentialRK4 Tsit5 --write) ;;
    mb2) result=mattis_bardeen_two_band_gpu.json
         (cd benchmarks && timeout "$limit" python3 bench_mattis_bardeen.py --bands 2 --sizes 200 600 --ref-max 0 \
            --ref-nfev 25964 --solvers ExponentialRK4 Tsit5 --write) ;;
    mbfree) result=mattis_bardeen_free_gpu.json
      (cd benchmarks && timeout "$limit" python3 bench_mattis_bardeen.py --sizes 200 600 --ref-max 0 \
            --ref-nfev 7502 --solvers ExponentialRK4 --name mattis_bardeen_free --write) ;;
    mb1ref) result=mattis_bardeen_200_measured_gpu.json
         (cd benchmarks && timeout "$limit" python3 bench_mattis_bardeen.py --sizes 200 --ref-max 200 \
            --solvers ExponentialRK4 --name mattis_bardeen_200_measured --write) ;;
    mb2big) result=mattis_bardeen_two_band_600_gpu.json
         (cd benchmarks && timeout "$limit" python3 bench_mattis_bardeen.py --bands 2 --sizes 600 --ref-max 0 \
            --ref-nfev 25964 --solvers ExponentialRK4 --name mattis_bardeen_two_band_600 --write) ;;
    fig1free) # the Fig. 1 sweep (25 γ, N_e = 600) with the default options (free evolution after the pulse), then
              # integrating the whole window, in one session: a ratio on one card
         (cd benchmarks && timeout "$limit" python3 bench_fig1_sweep.py --write \
            && timeout "$limit" python3 bench_fig1_sweep.py --free-evolution off --write) \
         && cp benchmarks/results/fig1_sweep_default_gpu.json benchmarks/results/fig1_sweep_default_free_off_gpu.json "$OUT/" ;;
    fm) result=finite_momentum_gpu.json
        (cd benchmarks && timeout "$limit" python3 bench_finite_momentum.py --grids 4e-3:4 2e-3:8 --write) ;;
    pseudo) result=pseudospin_gpu.json
            (cd benchmarks && timeout "$limit" python3 bench_pseudospin.py --sizes 4000 15024 --batch --variants default --write) ;;
    *) echo "unknown part $name"; false ;;
  esac
  rc=$?
  # a results file only from a run that finished (the tracked one would otherwise come back unchanged)
  [ $rc -eq 0 ] && [ -n "$result" ] && cp "benchmarks/results/$result" "$OUT/"
  echo "$name rc $rc wall $(( $(date +%s) - start )) s"
}

{
  date -u
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
  python3 -c "import jax, diffrax, equinox; print('jax', jax.__version__, jax.devices(), 'diffrax', diffrax.__version__)"
  for part in "${PARTS[@]}"; do
    run_part "${part%%:*}" "$( [[ $part == *:* ]] && echo "${part##*:}" || echo 200 )"
  done
  date -u
} 2>&1 | sed -u "s#$PWD/#./#g" | tee "$LOG"  # repository-relative paths: the log is committed
