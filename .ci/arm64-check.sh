#!/usr/bin/env bash
# ARM64 check: publishes Dcgan.Tests self-contained for linux-arm64 and runs, under qemu-user, the tests of the CPU
# kernels: the fast kernels against the reference loops (Dcgan.Tests.Backends.*: FastCpuKernelTests,
# ElementwiseLengthTests, ConvolutionReferenceTests, FastCpuTrainingTests, thread determinism, the vector width),
# the PyTorch golden cases on CpuBackend, the module and gradient checks, the trainer's whole training steps and
# the image outputs with the ARM64 native libraries (progress GIF, PNG grid, loss plot). It prints the vector width
# the backend picked (SimdWidthTests must see 128-bit AdvSimd: DCGAN_EXPECTED_WIDTH=128) and the runtime's intrinsics
# (RuntimeIntrinsicsTests), then the runner's summary, and exits non-zero when a test fails.
# Not run: the GPU/ILGPU tests (Dcgan.Tests.Gpu, the golden cases on ILGPU's CPU accelerator, Backends.SharedChecksTests
# which also runs on ILGPU's CPU accelerator), the tests that start `dotnet` (Samples.CommandLineTests) and the rest of
# Samples/Data/PublicApi. New classes under Backends, Golden, Modules, GradCheck and Training are picked up; one that
# needs ILGPU must be added to the -class- exclusions below.
#
# Selection: by class name (`-class` wildcards below), as the tests have no trait yet. When the kernel tests get one,
# e.g. [Trait("Category", "CpuKernels")], replace the -class list with `-trait Category=CpuKernels` (the runner ANDs
# filters of different kinds, so use one kind, plus the -class-/-method- exclusions if still needed).
#
# Needs root (or sudo) on Debian: installs, when missing, qemu-user-static and the arm64 libc6, libstdc++6 and libssl3
# (multiarch: dpkg --add-architecture arm64; xunit hashes test IDs with OpenSSL). .NET does not support QEMU
# officially; DOTNET_EnableWriteXorExecute=0 avoids qemu-user's known crashes with the runtime's W^X code mapping.
# Takes about 2 minutes on a 2-core x86 machine with the NuGet packages cached (publish 0.5 to 1.5, tests 1.5 to 2),
# plus the apt and NuGet downloads on a fresh machine.
# Usage: .ci/arm64-check.sh [more xunit runner arguments, e.g. -stopOnFail]   ARM64_CHECK_LOG=path keeps the full log.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
start=$SECONDS

# 1. qemu and the arm64 libraries the runtime loads (libicu is not needed: invariant globalization below).
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
installed() { [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" = "ii " ]; }
need=()
command -v qemu-aarch64-static >/dev/null || need+=(qemu-user-static)
for pkg in libc6:arm64 libstdc++6:arm64 libssl3:arm64; do
  installed "$pkg" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "arm64-check: installing ${need[*]}"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64 || exit 2
  fi
  $sudo apt-get update -q >/dev/null || exit 2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null || exit 2
fi
echo "arm64-check: $(qemu-aarch64-static --version | head -1)"

# 2. Publish into a temporary folder (its own obj/bin: the repository's x64 build is left alone).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "arm64-check: publishing Dcgan.Tests for linux-arm64"
if ! dotnet publish Dcgan.Tests/Dcgan.Tests.csproj -c Release -r linux-arm64 --self-contained \
    --artifacts-path "$work/artifacts" -o "$work/publish" -v q -nologo; then
  echo "arm64-check: publish failed"
  exit 2
fi
published=$SECONDS

# 3. The tests under emulation, with the multiarch libraries above: QEMU_LD_PREFIX pointing at a cross libc
# (/usr/aarch64-linux-gnu) would mix its ld.so with the multiarch libc found through /etc/ld.so.cache and hang.
unset QEMU_LD_PREFIX
filters=(
  -class 'Dcgan.Tests.Backends.*'
  -class 'Dcgan.Tests.Golden.*'
  -class 'Dcgan.Tests.Modules.*'
  -class 'Dcgan.Tests.GradCheck.*'
  -class 'Dcgan.Tests.Training.*'
  -class Dcgan.Tests.Samples.ProgressGifTests
  -class Dcgan.Tests.Samples.ImageGridTests
  -class Dcgan.Tests.Samples.LossPlotTests
  -class- Dcgan.Tests.Backends.SharedChecksTests
  -method- '*_on_ilgpu_cpu'
)
log=${ARM64_CHECK_LOG:-$work/tests.log}
echo "arm64-check: running the CPU kernel tests under qemu-aarch64"
DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_EnableWriteXorExecute=0 DCGAN_EXPECTED_WIDTH=128 \
  timeout 1200 qemu-aarch64-static "$work/publish/Dcgan.Tests" -noColor -noLogo -showLiveOutput "${filters[@]}" "$@" \
  >"$log" 2>&1
status=$?
# Everything but the passing tests' output lines, except the ones naming the width and the accuracy of whole steps.
awk '/ \[OUTPUT\] / { text = substr($0, index($0, "[OUTPUT] ") + 9)
                       if (text ~ /^(cpu:|runtime:|widths tested:|(tf-tutorial|dcgan) (G gradients|D gradients|fake images):)/ && !seen[text]++) print
                       next }
     { print }' "$log"
[ "$status" -eq 124 ] && echo "arm64-check: the tests ran past 20 minutes and were stopped"
echo "arm64-check: exit $status; publish $((published - start)) s, tests $((SECONDS - published)) s, total $((SECONDS - start)) s"
exit "$status"
