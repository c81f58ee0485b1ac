#!/usr/bin/env bash
# Side-by-side CPU training-step speed: Dcgan's `dcgan bench`, PyTorch (bench/pytorch/dcgan_step.py) and TorchSharp
# (bench/torchsharp), same preset, batch and threads, run alternately for N rounds (the order rotates each round),
# then a table of medians and ratios. See bench/README.md.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/compare.sh [options]
  --arch tf-tutorial|dcgan|dcgan64   preset (default tf-tutorial)
  --batch-size N             default: the preset's (256 tf-tutorial, 128 dcgan and dcgan64)
  --threads N                threads for every program (default 2)
  --rounds N                 alternating rounds (default 3)
  --steps N --warmup N       timed and untimed steps per run (default 20 and 5)
  --layer-runs N             per-layer table runs in each program (default 0: skip the layer tables)
  --isa native|avx2          native: each library's own choice; avx2: AVX-512 off everywhere (default native)
  --only LIST                comma-separated subset of ours,pytorch,torchsharp (default all three)
  --pt-blas-threads N        OpenBLAS threads inside PyTorch (default = --threads)
  --build                    build what is missing first (Dcgan.Samples Release once; bench/torchsharp/build.sh)
  --no-isa-check             skip the pre-flight that shows which ISA each library dispatches to
  --out DIR                  keep every run's output there (default: a new /tmp/dcgan-compare.XXXXXX)
EOF
}

arch=tf-tutorial batch="" threads=2 rounds=3 steps=20 warmup=5 layer_runs=0 isa=native only=ours,pytorch,torchsharp
pt_blas="" build=0 isa_check=1 out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --arch) arch=$2; shift 2 ;;
    --batch-size) batch=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --layer-runs) layer_runs=$2; shift 2 ;;
    --isa) isa=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --pt-blas-threads) pt_blas=$2; shift 2 ;;
    --build) build=1; shift ;;
    --no-isa-check) isa_check=0; shift ;;
    --out) out=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$arch" in tf-tutorial|dcgan|dcgan64) ;; *) echo "compare.sh: --arch must be tf-tutorial, dcgan or dcgan64" >&2; exit 2 ;; esac
case "$isa" in native|avx2) ;; *) echo "compare.sh: --isa must be native or avx2" >&2; exit 2 ;; esac
[ -n "$batch" ] || { [ "$arch" = tf-tutorial ] && batch=256 || batch=128; }
[ -n "$pt_blas" ] || pt_blas=$threads

bench_dir=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$bench_dir")
ours_dll=$root/Dcgan.Samples/bin/Release/net10.0/dcgan.dll
ts_dll=$bench_dir/torchsharp/bin/Release/net10.0/dcgan-step-torchsharp.dll
py=/usr/bin/python3
out=${out:-$(mktemp -d /tmp/dcgan-compare.XXXXXX)}
mkdir -p "$out"
IFS=, read -r -a programs <<<"$only"
for p in "${programs[@]}"; do
  case "$p" in ours|pytorch|torchsharp) ;; *) echo "compare.sh: --only takes ours, pytorch, torchsharp" >&2; exit 2 ;; esac
done
has() { [[ ",$only," == *",$1,"* ]]; }

# ---- prerequisites --------------------------------------------------------------------------------------------
if has ours && [ ! -f "$ours_dll" ]; then
  if [ $build = 1 ]; then (cd "$root" && dotnet build -c Release Dcgan.Samples -nologo -v q); else
    echo "compare.sh: $ours_dll is missing: run 'dotnet build -c Release Dcgan.Samples' (or pass --build)" >&2; exit 1; fi
fi
if has torchsharp && [ ! -f "$ts_dll" ]; then
  if [ $build = 1 ]; then "$bench_dir/torchsharp/build.sh" -v q; else
    echo "compare.sh: $ts_dll is missing: run bench/torchsharp/build.sh (or pass --build)" >&2; exit 1; fi
fi
if has pytorch && ! "$py" -c 'import torch' 2>/dev/null; then
  echo "compare.sh: $py cannot import torch: apt-get install -y python3-torch libopenblas0-pthread" >&2; exit 1
fi

# ---- the AVX2 restriction -------------------------------------------------------------------------------------
# Every switch is unset in native mode, so a value left in the caller's environment cannot leak in.
isa_vars=(DOTNET_EnableAVX512 ATEN_CPU_CAPABILITY ONEDNN_MAX_CPU_ISA DNNL_MAX_CPU_ISA OPENBLAS_CORETYPE MKL_ENABLE_INSTRUCTIONS)
unset_isa=()
for v in "${isa_vars[@]}"; do unset_isa+=(-u "$v"); done
if [ "$isa" = avx2 ]; then
  ours_env=(DOTNET_EnableAVX512=0)                                       # .NET 10: Vector512 and Avx512* off
  pytorch_env=(ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell)
  torchsharp_env=(ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_ENABLE_INSTRUCTIONS=AVX2)
else
  ours_env=() pytorch_env=() torchsharp_env=()
fi
omp=(OMP_NUM_THREADS="$threads")

extra_env=()   # set only for the ISA check
cmd_ours() { env "${unset_isa[@]}" "${ours_env[@]}" "${extra_env[@]}" dotnet "$ours_dll" bench "$@"; }
cmd_pytorch() { env "${unset_isa[@]}" "${omp[@]}" "${pytorch_env[@]}" "${extra_env[@]}" "$py" "$bench_dir/pytorch/dcgan_step.py" --blas-threads "$pt_blas" "$@"; }
cmd_torchsharp() { env "${unset_isa[@]}" "${omp[@]}" "${torchsharp_env[@]}" "${extra_env[@]}" dotnet "$ts_dll" "$@"; }

echo "# compare: $arch, batch $batch, $threads threads, $rounds rounds of $steps steps (+$warmup warm-up), isa $isa; runs in $out"
echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- pre-flight: which ISA each library really uses under these settings ---------------------------------------
if [ $isa_check = 1 ]; then
  echo "# ISA check ($isa):"
  if has ours; then
    cmd_ours --arch "$arch" --batch-size 2 --steps 1 --warmup 0 --layer-runs 0 --threads 1 >"$out/isa-ours.txt" 2>&1 || true
    # The header names the SIMD width in use: "Vector512 on|off" or "cpu: AVX-512F, 512-bit, ..." (between "cores, " and ", load").
    simd=$(sed -n '1s/^# dcgan bench: .* cores, \(.*\), load .*/\1/p' "$out/isa-ours.txt")
    echo "#   ours:       ${simd:-no header (see $out/isa-ours.txt)}${ours_env:+ (${ours_env[*]})}"
  fi
  if has pytorch; then
    log=$(cmd_pytorch --threads 1 --onednn-verbose 2>&1 || true)
    echo "$log" >"$out/isa-pytorch.txt"
    cap=$(grep -o 'ATen cpu capability [A-Z0-9_ ]*' <<<"$log" | head -n1)
    blas=$(grep -o 'OpenBLAS core [A-Za-z0-9]*' <<<"$log" | head -n1)
    dnnl=$(grep -o 'isa:[^,]*' <<<"$log" | head -n1)
    conv=$(grep -m1 -o 'exec,cpu,convolution,[^,]*' <<<"$log" | cut -d, -f4)
    echo "#   pytorch:    $cap; oneDNN $dnnl, conv kernel $conv; $blas"
  fi
  if has torchsharp; then
    extra_env=(ONEDNN_VERBOSE=1)
    log=$(cmd_torchsharp --arch "$arch" --batch-size 2 --steps 1 --warmup 0 --layer-runs 0 --threads 1 2>&1 || true)
    echo "$log" >"$out/isa-torchsharp.txt"
    extra_env=()
    cap=$(grep -o 'ATen cpu capability [A-Z0-9_]*' <<<"$log" | head -n1)
    dnnl=$(grep -o 'isa:[^,]*' <<<"$log" | head -n1)
    conv=$(grep -m1 -o 'exec,cpu,convolution,[^,]*' <<<"$log" | cut -d, -f4)
    if [ "$isa" = avx2 ]; then mkl_note="MKL_ENABLE_INSTRUCTIONS=AVX2"; else mkl_note="MKL_ENABLE_INSTRUCTIONS unset"; fi
    echo "#   torchsharp: $cap; oneDNN $dnnl, conv kernel $conv; MKL (Linear layers only): ${mkl_note}"
  fi
  if [ "$isa" = avx2 ] && cat "$out"/isa-*.txt | grep -qiE '512-bit|Vector512 on|capability AVX512|isa:.*AVX-512|avx512_core|core (SkylakeX|Cooperlake|SapphireRapids)'; then
    echo "# WARNING: --isa avx2 but a program still reports AVX-512 (see $out/isa-*.txt)" >&2
  fi
fi

# ---- the rounds -----------------------------------------------------------------------------------------------
common=(--arch "$arch" --batch-size "$batch" --threads "$threads" --steps "$steps" --warmup "$warmup" --layer-runs "$layer_runs" --json)
n=${#programs[@]}
for ((r = 1; r <= rounds; r++)); do
  for ((i = 0; i < n; i++)); do
    p=${programs[$(((i + r - 1) % n))]}
    f=$out/round$r-$p.txt
    if "cmd_$p" "${common[@]}" >"$f" 2>"$out/round$r-$p.err"; then
      ips=$("$py" -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["img_per_s_median"])' <"$f" 2>/dev/null || echo "?")
    else
      ips="failed (see $out/round$r-$p.err)"
    fi
    echo "round $r $p: $ips img/s; $(head -n1 "$f" | cut -c1-160)"
  done
done

# ---- the table --------------------------------------------------------------------------------------------------
"$py" - "$out" "$rounds" "$only" <<'EOF'
import json, os, statistics, sys
out, rounds, programs = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
runs = {p: {} for p in programs}
for p in programs:
    for r in range(1, rounds + 1):
        try:
            with open(os.path.join(out, f"round{r}-{p}.txt")) as f:
                runs[p][r] = json.loads(f.read().strip().splitlines()[-1])
        except (OSError, ValueError, IndexError):
            pass
names = {"ours": "Dcgan (ours)", "pytorch": "PyTorch", "torchsharp": "TorchSharp"}
print()
print(f"{'program':<14} {'runs':>4} {'img/s median':>13} {'min':>8} {'max':>8} {'s/epoch':>8}  (median of each run's median step)")
summary = {}
for p in programs:
    v = [runs[p][r]["img_per_s_median"] for r in sorted(runs[p])]
    if not v:
        print(f"{names[p]:<14} {0:>4}  no successful run")
        continue
    m = statistics.median(v)
    summary[p] = {"runs": len(v), "img_per_s_median": m, "img_per_s_runs": v, "epoch_s": 60000 / m}
    print(f"{names[p]:<14} {len(v):>4} {m:13.1f} {min(v):8.1f} {max(v):8.1f} {60000 / m:8.1f}")
print()
for other in ("torchsharp", "pytorch"):
    if "ours" in summary and other in summary:
        ratio = summary["ours"]["img_per_s_median"] / summary[other]["img_per_s_median"]
        paired = [runs["ours"][r]["img_per_s_median"] / runs[other][r]["img_per_s_median"]
                  for r in sorted(runs["ours"]) if r in runs[other]]
        per_round = f"; per round: {', '.join(f'{x:.2f}' for x in paired)} (median {statistics.median(paired):.2f})" if paired else ""
        summary[f"ours_over_{other}"] = ratio
        print(f"ours / {names[other]}: {ratio:.2f}x img/s{per_round}")
with open(os.path.join(out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=1)
print(f"\n(every run's output and summary.json: {out})")
EOF
