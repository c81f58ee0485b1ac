#!/usr/bin/env bash
# Runs the CPU kernel tests (fast kernels against the reference, golden cases, module and training-step tests) once
# per vector width this machine offers, each forced with the runtime's switches, and checks that each run really
# used the width it asked for (SimdWidthTests reads DCGAN_EXPECTED_WIDTH). The default run (`dotnet test`) already
# covers the machine's best width and runs the fast kernels at every lower width in-process; this adds the runs in
# which the JIT itself may only use the lower instruction sets.
# Usage: .ci/width-matrix.sh [path/to/Dcgan.Tests executable]   (default: the Debug build `dotnet test` made)
set -uo pipefail
case "${1:-}" in
  -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
cd "$(dirname "$0")/.."
exe=${1:-Dcgan.Tests/bin/Debug/net10.0/Dcgan.Tests}
if [ ! -x "$exe" ]; then
  dotnet build Dcgan.Tests -c Debug -v q -nologo >/dev/null || exit 1
fi

flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
has() { [[ " $flags " == *" $1 "* ]]; }
runs=()
if [ "$(uname -m)" = x86_64 ]; then
  if has avx512f && has avx2 && has fma; then runs+=("256 DOTNET_EnableAVX512=0"); fi
  runs+=("128 DOTNET_EnableAVX2=0")
  runs+=("32 DOTNET_EnableHWIntrinsic=0")
fi

status=0
for run in "${runs[@]}"; do
  read -r bits switch <<<"$run"
  echo "== width $bits-bit: $switch"
  out=$(env "$switch" DCGAN_EXPECTED_WIDTH="$bits" "$exe" \
    -class 'Dcgan.Tests.Backends.SimdWidthTests' \
    -class 'Dcgan.Tests.Backends.FastCpuKernelTests' \
    -class 'Dcgan.Tests.Backends.FastCpuTrainingTests' \
    -class 'Dcgan.Tests.Backends.ElementwiseLengthTests' \
    -class 'Dcgan.Tests.Golden.GoldenTests' 2>&1)
  rc=$?
  echo "$out" | grep -E '\[FAIL\]|Total:' | sed 's/\x1b\[[0-9;]*m//g'
  echo "$out" | grep -m1 -o 'cpu: [^;]*' || true
  [ $rc -ne 0 ] && status=$rc
done
exit $status
