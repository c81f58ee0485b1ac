#!/usr/bin/env bash
# Builds the TorchSharp reference program (Release) and makes its native bridge loadable where the system
# libstdc++ is older than the one TorchSharp was linked against (Debian 12: GCC 12, GLIBCXX_3.4.30; TorchSharp
# 0.107's libLibTorchSharp.so asks for GLIBCXX_3.4.32 only for a marker symbol no relocation uses).
# The first restore downloads about 600 MB of NuGet packages (TorchSharp-cpu, libtorch-cpu-linux-x64 2.10).
# Usage: bench/torchsharp/build.sh [extra dotnet build arguments]
set -euo pipefail
cd "$(dirname "$0")"
dotnet build -c Release -nologo "$@"
out=bin/Release/net10.0
mapfile -t libs < <(find "$out" -name 'libLibTorchSharp.so')
if [ ${#libs[@]} -eq 0 ]; then
  echo "build.sh: no libLibTorchSharp.so under $out" >&2
  exit 1
fi
# Patch the copies in the build output only (dotnet build copies them afresh when the NuGet files are newer).
for lib in "${libs[@]}"; do
  /usr/bin/python3 relax_version_needs.py "$lib"
  # ldd still mentions the weak version ("weak version ... not found"): only other misses are errors.
  unresolved=$(LD_LIBRARY_PATH="$(dirname "$lib")" ldd "$lib" 2>&1 | grep 'not found' | grep -v 'weak version' || true)
  if [ -n "$unresolved" ]; then
    echo "build.sh: $lib still has unresolved dependencies:" >&2
    echo "$unresolved" >&2
    exit 1
  fi
done
echo "built: dotnet $PWD/$out/dcgan-step-torchsharp.dll --help"
