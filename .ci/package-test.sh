#!/usr/bin/env bash
# Packs Dcgan.Core and Dcgan.Gpu into a temporary folder feed, checks what each .nupkg holds, then builds and
# runs a fresh consumer project outside the repository's Directory.*.props against those packages. The
# consumer compiles the README's usage example verbatim and checks that the loss falls over 20 Adam steps.
# Then samples/tiny-gan.cs runs as a .NET 10 file-based app (`dotnet run tiny-gan.cs`) against the same feed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -1)

echo "package-test: packing Dcgan.Core, Dcgan.Gpu and Dcgan.Onnx $version into $feed"
dotnet pack "$repo/Dcgan.Core/Dcgan.Core.csproj" -c Release -o "$feed" -v q -nologo
dotnet pack "$repo/Dcgan.Gpu/Dcgan.Gpu.csproj" -c Release -o "$feed" -v q -nologo
dotnet pack "$repo/Dcgan.Onnx/Dcgan.Onnx.csproj" -c Release -o "$feed" -v q -nologo

python3 - "$feed" "$version" <<'PY'
import sys, zipfile, os
feed, version = sys.argv[1], sys.argv[2]
for pkg in ("Dcgan.Core", "Dcgan.Gpu", "Dcgan.Onnx"):
    path = os.path.join(feed, f"{pkg}.{version}.nupkg")
    names = zipfile.ZipFile(path).namelist()
    need = [f"lib/net10.0/{pkg}.dll", f"lib/net10.0/{pkg}.xml", "PACKAGE.md"]
    missing = [n for n in need if n not in names]
    if missing:
        sys.exit(f"package-test: {path} lacks {missing}; it has {names}")
    if not os.path.exists(os.path.join(feed, f"{pkg}.{version}.snupkg")):
        sys.exit(f"package-test: no symbols package for {pkg}")
    print(f"package-test: {pkg}.{version}.nupkg {os.path.getsize(path)} bytes: " + ", ".join(n for n in names if not n.startswith(("_rels", "package/", "[Content"))))
PY

consumer="$work/consumer"
mkdir -p "$consumer"
echo '<Project />' > "$consumer/Directory.Build.props"
echo '<Project />' > "$consumer/Directory.Packages.props"
echo '<Project />' > "$consumer/Directory.Build.targets"
cat > "$consumer/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local-feed" value="$feed" />
  </packageSources>
</configuration>
XML
cat > "$consumer/Consumer.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <RestorePackagesPath>$work/packages</RestorePackagesPath>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Dcgan.Core" Version="$version" />
    <PackageReference Include="Dcgan.Gpu" Version="$version" />
    <PackageReference Include="Dcgan.Onnx" Version="$version" />
  </ItemGroup>
</Project>
XML

# The README's first C# block, verbatim, must equal the package README's.
extract() { awk '/^```csharp$/{f=1;next} /^```$/{if(f){exit}} f' "$1"; }
extract "$repo/README.md" > "$work/readme.cs"
extract "$repo/PACKAGE.md" > "$work/package.cs"
if ! diff -u "$work/readme.cs" "$work/package.cs"; then
  echo "package-test: README.md and PACKAGE.md usage examples differ" >&2
  exit 1
fi
{
  cat "$work/readme.cs"
  cat <<'CS'

// Package test: the same network learns; the loss falls over 20 Adam steps.
var data = new float[16 * 28 * 28];
new Dcgan.Init.RandomSource(1).FillNormal(data);
x.CopyFrom(data);
float first = 0, last = 0;
for (int i = 0; i < 20; i++)
{
    adam.ZeroGrad();
    float v = loss.Forward(net.Forward(x), 1f).Item();
    net.Backward(loss.Backward());
    adam.Step();
    if (i == 0) first = v;
    last = v;
}
Console.WriteLine($"package-test: loss {first:F4} -> {last:F4} over 20 steps on {cpu.Name}");
if (!(last < first)) return 1;

// Dcgan.Onnx from its package: the trained network exports to an ONNX model.
byte[] onnx = Dcgan.Onnx.OnnxExporter.Export(net, x.Shape.ToArray()[1..]);
Console.WriteLine($"package-test: ONNX export {onnx.Length} bytes (opset {Dcgan.Onnx.OnnxExporter.OpsetVersion})");
if (onnx.Length < 1000) return 1;

// Dcgan.Gpu from its package: the same kernels on ILGPU's CPU accelerator agree with the CPU backend.
using var gpu = Dcgan.Gpu.GpuBackend.CreateCpuAccelerator();
net.To(gpu);
using var xg = gpu.Allocate(x.Shape);
xg.CopyFrom(data);
using var lossG = new BCEWithLogitsLoss();
float onGpu = lossG.Forward(net.Forward(xg), 1f).Item();
net.To(cpu);
float onCpu = loss.Forward(net.Forward(x), 1f).Item();
Console.WriteLine($"package-test: loss on {gpu.Name} {onGpu:F6}, on {cpu.Name} {onCpu:F6}");
return Math.Abs(onGpu - onCpu) <= 1e-4f * Math.Max(1f, Math.Abs(onCpu)) ? 0 : 1;
CS
} > "$consumer/Program.cs"

dotnet run --project "$consumer/Consumer.csproj" -c Release -v q --configfile "$consumer/nuget.config" 2>&1 || { echo "package-test: consumer failed" >&2; exit 1; }

# The one-file sample, in a folder of its own (a .cs file beside a .csproj would join that project). It finds the
# feed through the nuget.config beside it; XDG_DATA_HOME keeps the SDK's build of it (~/.local/share/dotnet/runfile)
# inside $work, and NUGET_PACKAGES keeps these packages out of the machine's cache.
onefile="$work/onefile"
mkdir -p "$onefile" "$work/xdg"
cp "$repo/samples/tiny-gan.cs" "$consumer/nuget.config" "$consumer/Directory.Build.props" "$consumer/Directory.Packages.props" "$onefile/"
for pkg in Dcgan.Core Dcgan.Onnx; do
  grep -qx "#:package $pkg@$version" "$onefile/tiny-gan.cs" || { echo "package-test: samples/tiny-gan.cs does not say '#:package $pkg@$version'" >&2; exit 1; }
done
(cd "$onefile" && XDG_DATA_HOME="$work/xdg" NUGET_PACKAGES="$work/packages" dotnet run tiny-gan.cs -- 30 "$onefile/out" 2>&1) || { echo "package-test: samples/tiny-gan.cs failed" >&2; exit 1; }
python3 - "$onefile/out" <<'PY'
import sys, os
out = sys.argv[1]
pgm = open(os.path.join(out, "tiny-gan.pgm"), "rb").read()
header = b"P5 128 128 255\n"
if not pgm.startswith(header) or len(pgm) != len(header) + 128 * 128 or len(set(pgm[len(header):])) < 16:
    sys.exit(f"package-test: tiny-gan.pgm is not an 8x8 grid of varied 16x16 samples ({len(pgm)} bytes, header {pgm[:16]!r})")
onnx = os.path.getsize(os.path.join(out, "tiny-gan-g.onnx"))
if onnx < 1000:
    sys.exit(f"package-test: tiny-gan-g.onnx has only {onnx} bytes")
print(f"package-test: tiny-gan.cs wrote a 128x128 grid and a {onnx}-byte ONNX generator")
PY
echo "package-test: passed"
