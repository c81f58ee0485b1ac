#!/usr/bin/env bash
# Runs the prepared GPU check from an unpacked bundle (made by `.ci/gpu-check.sh pack`); needs no .NET, only bash,
# coreutils, grep, sed and awk, and an NVIDIA driver for the GPU part:
#   tar xzf gpu-check.tar.gz && ./gpu-check/run.sh [--require-gpu]
# Checks, on cuda:0: `dcgan devices`; the CUDA test classes (parity of every backend operation with CpuBackend,
# module parity, the PyTorch golden cases, device memory flat over many steps); `dcgan bench --device cuda` for the
# dcgan and tf-tutorial presets (timed with the GPU synchronized, after warm-up steps); 2 epochs of `dcgan train` on
# the embedded digits on cuda and on the CPU, losses compared. Then a short self-check of the bundle on the CPU
# (the ILGPU kernels on ILGPU's CPU accelerator, bench and train on the CPU), so a broken bundle shows up on any machine.
# Without a usable CUDA device it says so in one line, marks every GPU check "skipped" and exits 0
# (--require-gpu: exits 1 instead). Exits 1 when a check fails. Prints a summary table last; logs are kept in
# results/ next to this script (GPU_CHECK_RESULTS=folder chooses another). About 10 s without a GPU; a few minutes with one (expected).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
app="$here/app"
results=${GPU_CHECK_RESULTS:-$here/results}
require_gpu=0
for arg in "$@"; do
  case "$arg" in
    --require-gpu) require_gpu=1 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-check: unknown argument '$arg'; expected --require-gpu or --help" >&2; exit 2 ;;
  esac
done

rm -rf "$results"
mkdir -p "$results" || exit 2
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
# Never the user's MNIST cache or a download: the embedded 10,000-digit sample, the same on every machine.
export DCGAN_DATA="$results/no-data"
# xunit hashes test IDs with OpenSSL; use the bundled libcrypto/libssl 3 only where the system has none.
if [ -d "$here/fallback-lib" ] && ! { ldconfig -p 2>/dev/null | grep -q 'libcrypto\.so\.3 '; }; then
  export LD_LIBRARY_PATH="$here/fallback-lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
with_timeout() { if command -v timeout >/dev/null; then timeout "$@"; else shift; "$@"; fi; }
start=$SECONDS
[ -f "$here/VERSION" ] && echo "gpu-check: bundle $(cat "$here/VERSION")"
echo "gpu-check: logs in $results"

# The summary rows: name|result|details.
rows=()
row() { rows+=("$1|$2|$3"); echo "gpu-check: $1: $2${3:+ ($3)}"; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "") print b; else if (b == "") print a; else print ((a + 0 >= b + 0) ? a : b) }'; }

smi_memory() {
  command -v nvidia-smi >/dev/null || return 0
  nvidia-smi --query-gpu=memory.used,memory.total --format=csv,noheader,nounits -i 0 2>/dev/null | head -1 | tr -d ' '
}
smi_before=$(smi_memory)
command -v nvidia-smi >/dev/null && nvidia-smi >"$results/nvidia-smi.txt" 2>&1

# 1. Devices.
with_timeout 120 "$app/dcgan" devices >"$results/devices.txt" 2>&1
devices_rc=$?
cuda_line=$(grep -E '^cuda:[0-9]+ ' "$results/devices.txt" | grep -v '(unusable' | head -1)
if [ "$devices_rc" -ne 0 ]; then
  row "dcgan devices" failed "exit $devices_rc: $(tail -1 "$results/devices.txt")"
elif [ -n "$cuda_line" ]; then
  row "dcgan devices" passed "$(echo "$cuda_line" | tr -s ' ')"
else
  why=$(grep -E '^No CUDA device|^cuda:' "$results/devices.txt" | head -1 | sed 's/^No CUDA device: //; s/\.$//')
  echo "No CUDA device found (${why:-dcgan devices listed none}); every GPU check is skipped."
  row "dcgan devices" passed "no CUDA device"
fi
have_gpu=0
[ -n "$cuda_line" ] && have_gpu=1

# 2. The CUDA test classes. Without a GPU they still run: each must be found and skip every test, never pass.
# run_tests CLASS sets T_RESULT (passed/failed/skipped), T_DETAIL, T_WORST (largest "worst relative error") and T_LOG.
run_tests() {
  T_LOG="$results/tests-${1##*.}.log"
  with_timeout 480 "$app/Dcgan.Tests" -class "$1" -noColor -noLogo -showLiveOutput >"$T_LOG" 2>&1
  local rc=$? summary total failed errors skipped passed
  summary=$(grep -E 'Total: [0-9]+' "$T_LOG" | tail -1)
  total=$(echo "$summary" | sed -n 's/.*Total: \([0-9]*\).*/\1/p')
  failed=$(echo "$summary" | sed -n 's/.*Failed: \([0-9]*\).*/\1/p')
  errors=$(echo "$summary" | sed -n 's/.*Errors: \([0-9]*\).*/\1/p')
  skipped=$(echo "$summary" | sed -n 's/.*Skipped: \([0-9]*\).*/\1/p')
  T_WORST=$(grep -o 'worst relative error [0-9.Ee+-]*' "$T_LOG" | awk '{ v = $4 + 0; if (v > m) m = v } END { if (NR) printf "%.2E", m }')
  if [ -z "$total" ] || [ "$total" -eq 0 ]; then
    T_RESULT=failed T_DETAIL="no test ran (exit $rc); see $T_LOG"
    return
  fi
  passed=$((total - ${failed:-0} - ${errors:-0} - ${skipped:-0}))
  T_DETAIL="$passed passed, ${failed:-0} failed, ${skipped:-0} skipped"
  if [ "$rc" -ne 0 ] || [ "${failed:-0}" -ne 0 ] || [ "${errors:-0}" -ne 0 ]; then
    T_RESULT=failed T_DETAIL="$T_DETAIL; exit $rc; see $T_LOG"
  elif [ "$passed" -eq 0 ]; then
    T_RESULT=skipped T_DETAIL="$total tests, no CUDA device"
  else
    T_RESULT=passed
  fi
}
worst_cpu=""
run_tests Dcgan.Tests.Gpu.CudaParityTests
[ "$T_RESULT" = passed ] && worst_cpu=$(max "$worst_cpu" "$T_WORST") && T_DETAIL="$T_DETAIL; worst relative error vs CPU $T_WORST"
row "cuda: every backend operation vs CpuBackend" "$T_RESULT" "$T_DETAIL"
run_tests Dcgan.Tests.Gpu.CudaModuleParityTests
[ "$T_RESULT" = passed ] && worst_cpu=$(max "$worst_cpu" "$T_WORST") && T_DETAIL="$T_DETAIL; worst relative error vs CPU $T_WORST"
row "cuda: module parity vs CpuBackend" "$T_RESULT" "$T_DETAIL"
run_tests Dcgan.Tests.Gpu.CudaGoldenTests
[ "$T_RESULT" = passed ] && T_DETAIL="$T_DETAIL; worst relative error vs PyTorch $T_WORST"
row "cuda: PyTorch golden cases" "$T_RESULT" "$T_DETAIL"
run_tests Dcgan.Tests.Gpu.CudaMemoryTests
# "cuda memory (dcgan, batch 128): 812.0 MiB used after 5 warm-up steps, 812.0 MiB after 300 more (...)" -> "dcgan 812.0 -> 812.0 MiB/300 steps"
memory_note=$(sed -n 's/.*cuda memory (\([a-z-]*\), batch [0-9]*): \([0-9.]*\) MiB used after 5 warm-up steps, \([0-9.]*\) MiB after \([0-9]*\) more.*/\1 \2 -> \3 MiB over \4 steps/p' "$T_LOG" | paste -sd ';' - | sed 's/;/; /g')
[ -n "$memory_note" ] && T_DETAIL="$T_DETAIL; $memory_note"
row "cuda: device memory flat over many steps" "$T_RESULT" "$T_DETAIL"

# 3. Whole training steps on the GPU, timed step by step with the GPU synchronized, after 10 warm-up steps.
bench_cuda() { # preset
  local log="$results/bench-$1-cuda.log" json ips epoch batch mem_before mem_after
  with_timeout 300 "$app/dcgan" bench --device cuda --arch "$1" --steps 50 --warmup 10 --json >"$log" 2>&1
  local rc=$?
  json=$(tail -1 "$log")
  field() { echo "$json" | sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" | tr -d '"'; }
  ips=$(field img_per_s_median) epoch=$(field epoch_s) batch=$(field batch_size)
  mem_before=$(field gpu_memory_used_mib_before) mem_after=$(field gpu_memory_used_mib_after)
  if [ "$rc" -ne 0 ] || [ -z "$ips" ]; then
    row "cuda: bench $1" failed "exit $rc: $(tail -1 "$log")"
  else
    local memory=""
    [ -n "$mem_before" ] && [ "$mem_before" != null ] && memory="; device memory in use $mem_before -> $mem_after MiB"
    row "cuda: bench $1" passed "batch $batch: $ips img/s, $epoch s per 60,000-image epoch$memory"
  fi
}

# 4. Two epochs of the embedded digits on cuda and on the CPU from the same seed; losses.csv compared step by step.
train() { # device
  with_timeout 400 "$app/dcgan" train --device "$1" --epochs 2 --seed 1 --out "$results/train-$1" >"$results/train-$1.log" 2>&1
}
compare_losses() { # cpu.csv cuda.csv -> "rows|worst first 10 steps|worst all steps|last-epoch mean Loss_D diff|Loss_G diff|finite"
  awk -F, 'FNR == 1 { next }
           NR == FNR { cpu[FNR] = $0; n1 = FNR; next }
           { n2 = FNR; split(cpu[FNR], c, ",")
             for (k = 3; k <= 6; k++) {
               if ($k !~ /^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/ || c[k] !~ /^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/) bad = 1
               d = c[k] - $k; if (d < 0) d = -d
               if (d > all) all = d
               if (FNR <= 11 && d > first) first = d }
             if ($1 > last) { last = $1; sd1 = sg1 = sd2 = sg2 = m = 0 }
             if ($1 == last) { sd1 += c[3]; sg1 += c[4]; sd2 += $3; sg2 += $4; m++ } }
           END { dd = (sd1 - sd2) / (m ? m : 1); dg = (sg1 - sg2) / (m ? m : 1); if (dd < 0) dd = -dd; if (dg < 0) dg = -dg
                 printf "%d/%d|%.2E|%.2E|%.3f|%.3f|%d\n", n1 - 1, n2 - 1, first, all, dd, dg, !bad }' "$1" "$2"
}

train_seconds() { # log -> total seconds of the epochs
  sed -n 's/^epoch [0-9]*\/[0-9]* done: [0-9]* steps in \([0-9.]*\) s.*/\1/p' "$1" | awk '{ t += $1 } END { if (NR) printf "%.1f", t }'
}

if [ "$have_gpu" -eq 1 ]; then
  bench_cuda dcgan
  bench_cuda tf-tutorial
  train cuda; rc_cuda=$?
  train cpu; rc_cpu=$?
  name="cuda: 2-epoch train vs cpu (dcgan, embedded digits)"
  if [ "$rc_cuda" -ne 0 ] || [ "$rc_cpu" -ne 0 ] || [ ! -f "$results/train-cuda/losses.csv" ] || [ ! -f "$results/train-cpu/losses.csv" ]; then
    row "$name" failed "exit cuda $rc_cuda, cpu $rc_cpu; see $results/train-cuda.log and train-cpu.log"
  else
    IFS='|' read -r count first all dd dg finite <<<"$(compare_losses "$results/train-cpu/losses.csv" "$results/train-cuda/losses.csv")"
    train_worst=$first
    detail="$count steps, cuda $(train_seconds "$results/train-cuda.log") s, cpu $(train_seconds "$results/train-cpu.log") s; |loss diff| first 10 steps $first, all steps $all; last epoch mean Loss_D diff $dd, Loss_G diff $dg"
    # The first steps must follow the CPU's trajectory; later a GAN amplifies rounding, so only the epoch means are held.
    if [ "$finite" = 1 ] && [ "${count%/*}" = "${count#*/}" ] && awk -v f="$first" -v a="$dd" -v b="$dg" 'BEGIN { exit !(f <= 1e-2 && a <= 0.25 && b <= 0.25) }'; then
      row "$name" passed "$detail"
    else
      row "$name" failed "$detail (limits: first 10 steps 1e-2, epoch means 0.25, all finite, same step count)"
    fi
  fi
else
  for name in "cuda: bench dcgan" "cuda: bench tf-tutorial" "cuda: 2-epoch train vs cpu (dcgan, embedded digits)"; do
    row "$name" skipped "no CUDA device"
  done
fi

# 5. The bundle itself on the CPU: the ILGPU kernels on ILGPU's CPU accelerator (ILGPU reads framework methods by
# reflection, which trimming could break), and bench and train on the CPU (JSON, native image libraries, embedded data).
self_log="$results/self-check.log"
run_tests Dcgan.Tests.Gpu.IlgpuCpuModuleParityTests
self_result=$T_RESULT self_detail="ILGPU CPU accelerator module parity: $T_DETAIL"
with_timeout 300 "$app/dcgan" bench --device cpu --arch dcgan --batch-size 16 --steps 1 --warmup 0 --layer-runs 1 --json >"$self_log" 2>&1
bench_rc=$?
self_ips=$(tail -1 "$self_log" | sed -n 's/.*"img_per_s_median":\([0-9.]*\).*/\1/p')
with_timeout 300 "$app/dcgan" train --device cpu --epochs 1 --limit 64 --batch-size 32 --out "$results/train-self-check" >>"$self_log" 2>&1
train_rc=$?
if [ "$self_result" != passed ] || [ "$bench_rc" -ne 0 ] || [ -z "$self_ips" ] || [ "$train_rc" -ne 0 ] || [ ! -s "$results/train-self-check/progress.gif" ]; then
  self_result=failed
  self_detail="$self_detail; bench cpu exit $bench_rc, train cpu exit $train_rc; see $self_log"
else
  self_detail="$self_detail; bench and train on the CPU ran"
fi
row "bundle self-check on the CPU" "$self_result" "$self_detail"

# The summary, last.
smi_after=$(smi_memory)
n_passed=0 n_failed=0 n_skipped=0
for r in "${rows[@]}"; do
  case "$(echo "$r" | cut -d'|' -f2)" in
    passed) n_passed=$((n_passed + 1)) ;; failed) n_failed=$((n_failed + 1)) ;; *) n_skipped=$((n_skipped + 1)) ;;
  esac
done
echo
echo "== gpu-check summary ($( [ "$have_gpu" -eq 1 ] && echo "$cuda_line" | tr -s ' ' || echo "no CUDA device"); $(nproc 2>/dev/null || echo '?') CPU cores; $((SECONDS - start)) s) =="
for r in "${rows[@]}"; do
  IFS='|' read -r name result detail <<<"$r"
  printf '%-52s %-8s %s\n' "$name" "$result" "$detail"
done
if [ "$have_gpu" -eq 1 ]; then
  echo "worst CPU-vs-CUDA difference: ${worst_cpu:-n/a} relative (backend operations and modules); ${train_worst:-n/a} absolute in the losses of the first 10 training steps"
  if [ -n "$smi_before" ]; then
    echo "GPU memory (nvidia-smi, whole device): ${smi_before%%,*} MiB used before, ${smi_after%%,*} MiB after, of ${smi_before##*,} MiB"
  else
    echo "GPU memory: nvidia-smi not found; the bench rows give the device memory in use before and after"
  fi
fi
echo "gpu-check: $n_passed passed, $n_failed failed, $n_skipped skipped"
if [ "$n_failed" -ne 0 ]; then
  exit 1
fi
if [ "$have_gpu" -eq 0 ] && [ "$require_gpu" -eq 1 ]; then
  echo "gpu-check: --require-gpu was given and no CUDA device was found"
  exit 1
fi
exit 0
