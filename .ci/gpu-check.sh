#!/usr/bin/env bash
# The prepared GPU check: a self-contained linux-x64 bundle of the CUDA tests, `dcgan bench/train/devices` and
# their runner (.ci/gpu-check/run.sh), for a GPU machine without .NET (NVIDIA driver only, no network).
#   .ci/gpu-check.sh pack           builds bin/gpu-check/gpu-check.tar.gz (under 60 MB) and prints its path last
#   .ci/gpu-check.sh run [BUNDLE]   unpacks BUNDLE (default: the one pack made) into a temporary folder and runs it;
#                                   more arguments go to run.sh (--require-gpu); GPU_CHECK_RESULTS=folder keeps the logs
#   .ci/gpu-check.sh ci             pack, then run, here: must exit 0, and without a GPU must say so and pass no GPU check
# On the GPU machine: tar xzf gpu-check.tar.gz && ./gpu-check/run.sh
# The bundle: one `dotnet publish` of Dcgan.Tests (which carries dcgan.dll and its apphost) self-contained for
# linux-x64, trimmed (TrimMode=partial: only framework assemblies; see .ci/gpu-check/trim.targets), so the test
# runner and the dcgan tool share one runtime; plus OpenSSL 3 from this machine as a fallback for a system without it.
# The build output is kept in bin/gpu-check/build, so a second pack only rebuilds what changed.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
out=${GPU_CHECK_OUT:-$repo/bin/gpu-check}
bundle_default="$out/gpu-check.tar.gz"
limit_bytes=$((60 * 1000 * 1000))
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

pack() {
  local start=$SECONDS stage="$out/stage/gpu-check"
  rm -rf "$out/stage" "$bundle_default"
  mkdir -p "$stage" || return 1
  echo "gpu-check pack: publishing Dcgan.Tests (with dcgan) self-contained for linux-x64, trimmed"
  # Trim analysis warnings are off for this publish only: partial trimming keeps every non-framework assembly
  # whole, and the bundle proves itself by running the ILGPU kernels and dcgan (run.sh's self-check).
  if ! dotnet publish "$repo/Dcgan.Tests/Dcgan.Tests.csproj" -c Release -r linux-x64 --self-contained \
      -p:PublishTrimmed=true -p:TrimMode=partial -p:EnableTrimAnalyzer=false -p:SuppressTrimAnalysisWarnings=true \
      -p:CustomAfterMicrosoftCommonTargets="$repo/.ci/gpu-check/trim.targets" \
      -p:JsonSerializerIsReflectionEnabledByDefault=true -p:UseSystemResourceKeys=false \
      -p:InvariantGlobalization=true -p:SatelliteResourceLanguages=en -p:GenerateDocumentationFile=false \
      --artifacts-path "$out/build" -o "$stage/app" -v q -nologo; then
    echo "gpu-check pack: publish failed" >&2
    return 1
  fi
  local app="$stage/app"
  # dcgan's apphost needs a deps file to run self-contained; the tests' one lists every assembly of the folder.
  cp "$app/Dcgan.Tests.deps.json" "$app/dcgan.deps.json"
  # Debugging and tracing parts of the runtime, alternative GCs and the public API baselines: not used by the check.
  rm -rf "$app/createdump" "$app/libmscordaccore.so" "$app/libmscordbi.so" "$app/libclrgc.so" "$app/libclrgcexp.so" \
    "$app/libcoreclrtraceptprovider.so" "$app/PublicApi"
  # ONNX Runtime's native libraries (about 46 MB) serve only the ONNX export tests, which the check does not run.
  rm -f "$app"/libonnxruntime*.so "$app/onnxruntime.dll"
  for lib in libcrypto.so.3 libssl.so.3; do
    local path
    path=$(ldconfig -p 2>/dev/null | awk -v l="$lib" '$1 == l && /x86-64/ { print $NF; exit }')
    if [ -n "$path" ]; then
      mkdir -p "$stage/fallback-lib" && cp -L "$path" "$stage/fallback-lib/$lib"
    fi
  done
  cp "$repo/.ci/gpu-check/run.sh" "$stage/run.sh"
  chmod +x "$stage/run.sh" "$app/dcgan" "$app/Dcgan.Tests"
  echo "$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown), packed $(date -u +%Y-%m-%dT%H:%MZ)" >"$stage/VERSION"
  tar -C "$out/stage" -czf "$bundle_default" gpu-check || return 1
  rm -rf "$out/stage"
  local size
  size=$(wc -c <"$bundle_default")
  echo "gpu-check pack: $(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }') MB in $((SECONDS - start)) s"
  if [ "$size" -ge "$limit_bytes" ]; then
    echo "gpu-check pack: the bundle is $size bytes, over the 60 MB limit" >&2
    return 1
  fi
  echo "$bundle_default"
}

run() {
  local bundle=${1:-$bundle_default}
  [ $# -gt 0 ] && shift
  if [ ! -f "$bundle" ]; then
    echo "gpu-check run: no bundle at $bundle; make one with '.ci/gpu-check.sh pack'" >&2
    return 2
  fi
  local dir
  dir=$(mktemp -d)
  tar -C "$dir" -xzf "$bundle" || { rm -rf "$dir"; return 2; }
  "$dir/gpu-check/run.sh" "$@"
  local rc=$?
  rm -rf "$dir"
  return "$rc"
}

ci() {
  local bundle log rc
  log=$(mktemp)
  pack | tee "$log"
  rc=${PIPESTATUS[0]}
  bundle=$(tail -1 "$log")
  if [ "$rc" -ne 0 ] || [ ! -f "$bundle" ]; then
    rm -f "$log"
    return 1
  fi
  run "$bundle" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  if [ "$rc" -eq 0 ] && grep -q '^No CUDA device found' "$log"; then
    # Without a GPU nothing that needs one may pass.
    # The summary's rows: the name in 52 columns, then the result.
    if grep -E '^cuda: ' "$log" | cut -c54- | awk '{ print $1 }' | grep -qvx skipped; then
      echo "gpu-check ci: a GPU check passed although no CUDA device was found" >&2
      rc=1
    fi
  fi
  rm -f "$log"
  return "$rc"
}

case "${1:-}" in
  pack) pack ;;
  run) shift; run "$@" ;;
  ci) ci ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; exit $? ;;
esac
