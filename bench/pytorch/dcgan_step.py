#!/usr/bin/python3
"""Whole DCGAN training steps in PyTorch on CPU, for comparison with `dcgan bench`.

The two presets are the networks and steps of Dcgan.Samples' `bench --arch ...`:

  tf-tutorial (batch 256): TensorFlow's DCGAN tutorial, Keras defaults in PyTorch terms, its
      simultaneous train_step (Dcgan.Training.SimultaneousGanStep).
  dcgan (batch 128): Radford et al. for 28x28 MNIST with nz 100, ngf = ndf = 64, and
      pytorch/examples' alternating D-then-G step (Dcgan.Training.AlternatingGanStep).

Timing follows `dcgan bench`: one fixed random "real" batch in [-1, 1], fresh N(0, 1) noise per
step drawn before the clock starts, --warmup untimed steps, then --steps timed ones; the median,
fastest and slowest step give img/s and seconds per 60,000-image epoch. Then each Conv2d,
ConvTranspose2d and Linear layer is timed alone (forward, and backward to both input and weights)
on random inputs of the shapes the networks give it.

Run with Debian's interpreter: /usr/bin/python3 dcgan_step.py --arch tf-tutorial --threads 2
`--sgemm` times torch.mm instead (the machine's float32 matrix-multiply ceiling).
"""
import argparse
import ctypes
import json
import os
import statistics
import sys
import time

EPOCH_IMAGES = 60_000
NZ = 100
ARCHS = ("tf-tutorial", "dcgan", "dcgan64")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--arch", choices=ARCHS, default="tf-tutorial")
    p.add_argument("--batch-size", type=int, default=None, help="default 256 for tf-tutorial, 128 for dcgan")
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0 = all cores)")
    p.add_argument("--blas-threads", type=int, default=None,
                   help="OpenBLAS threads (read when the library loads; default = --threads)")
    p.add_argument("--steps", type=int, default=20, help="timed steps")
    p.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    p.add_argument("--layer-runs", type=int, default=5, help="timed runs per layer (0 skips the layer table)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", action="store_true", help="print the results as one JSON object on the last line")
    p.add_argument("--sgemm", action="store_true", help="time torch.mm on 2048^3 and 3072^3 float32 instead")
    p.add_argument("--onednn-verbose", action="store_true",
                   help="run one convolution with oneDNN verbose output on (shows the ISA oneDNN dispatches to)")
    a = p.parse_args(argv)
    if a.batch_size is None:
        a.batch_size = 256 if a.arch == "tf-tutorial" else 128
    if a.batch_size < 2:
        p.error("--batch-size must be >= 2 (BatchNorm needs two samples)")
    if a.steps < 1 or a.warmup < 0 or a.threads < 0 or a.layer_runs < 0:
        p.error("--steps must be >= 1; --warmup, --threads and --layer-runs >= 0")
    return a


# ---------------------------------------------------------------------------------------------
# machine and library facts
# ---------------------------------------------------------------------------------------------
def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def cpu_capability(torch):
    """ATen's kernel level. torch 1.13 has no torch.backends.cpu.get_cpu_capability(); its
    build summary (torch.__config__.show()) carries the same value in 'CPU capability usage'."""
    cpu = getattr(torch.backends, "cpu", None)
    if cpu is not None and hasattr(cpu, "get_cpu_capability"):
        return cpu.get_cpu_capability()
    for line in torch.__config__.show().splitlines():
        if "CPU capability usage:" in line:
            return line.split(":", 1)[1].strip() + " (from torch.__config__.show())"
    return "unknown"


def openblas_core():
    """OpenBLAS's kernel set (Debian's build picks it at load time; OPENBLAS_CORETYPE overrides)."""
    for name in ("libopenblas.so.0", "libblas.so.3"):
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode(), lib.openblas_get_num_threads()
        except (OSError, AttributeError):
            continue
    return "none", 0


def header(torch, threads):
    core, blas_threads = openblas_core()
    return (f"# pytorch dcgan_step: cpu {cpu_model()}, {os.cpu_count()} cores; torch {torch.__version__}, "
            f"ATen cpu capability {cpu_capability(torch)}, oneDNN {'on' if torch.backends.mkldnn.is_available() else 'off'}, "
            f"OpenBLAS core {core} ({blas_threads} threads), {threads} torch threads, load {load_average()}")


# ---------------------------------------------------------------------------------------------
# the presets (Dcgan.Core/Models and Dcgan.Samples/Training/Presets.cs)
# ---------------------------------------------------------------------------------------------
class Preset:
    def __init__(self, torch, arch, batch):
        nn = torch.nn
        self.arch = arch
        if arch == "tf-tutorial":
            # Keras BatchNormalization(momentum 0.99, epsilon 1e-3) = PyTorch momentum 0.01, eps 1e-3;
            # Keras LeakyReLU alpha 0.3; "same" 5x5 padding = 2 (+ output_padding 1 when stride 2).
            def bn1(c):
                return nn.BatchNorm1d(c, eps=1e-3, momentum=0.01)

            def bn2(c):
                return nn.BatchNorm2d(c, eps=1e-3, momentum=0.01)

            self.G = nn.Sequential(
                nn.Linear(NZ, 256 * 7 * 7, bias=False), bn1(256 * 7 * 7), nn.LeakyReLU(0.3),
                nn.Unflatten(1, (256, 7, 7)),
                nn.ConvTranspose2d(256, 128, 5, 1, 2, bias=False), bn2(128), nn.LeakyReLU(0.3),
                nn.ConvTranspose2d(128, 64, 5, 2, 2, output_padding=1, bias=False), bn2(64), nn.LeakyReLU(0.3),
                nn.ConvTranspose2d(64, 1, 5, 2, 2, output_padding=1, bias=False), nn.Tanh())
            self.D = nn.Sequential(
                nn.Conv2d(1, 64, 5, 2, 2), nn.LeakyReLU(0.3), nn.Dropout(0.3),
                nn.Conv2d(64, 128, 5, 2, 2), nn.LeakyReLU(0.3), nn.Dropout(0.3),
                nn.Flatten(), nn.Linear(128 * 7 * 7, 1))
            for m in list(self.G.modules()) + list(self.D.modules()):  # Keras: Glorot-uniform, zero bias
                if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                    nn.init.xavier_uniform_(m.weight)
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)
            lr, betas, eps = 1e-4, (0.9, 0.999), 1e-7
            self.noise_shape = (batch, NZ)
        elif arch == "dcgan64":
            # pytorch/examples dcgan/main.py at 64x64, nc = 3.
            ngf = ndf = 64
            self.G = nn.Sequential(
                nn.ConvTranspose2d(NZ, 8 * ngf, 4, 1, 0, bias=False), nn.BatchNorm2d(8 * ngf), nn.ReLU(),
                nn.ConvTranspose2d(8 * ngf, 4 * ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(4 * ngf), nn.ReLU(),
                nn.ConvTranspose2d(4 * ngf, 2 * ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * ngf), nn.ReLU(),
                nn.ConvTranspose2d(2 * ngf, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(),
                nn.ConvTranspose2d(ngf, 3, 4, 2, 1, bias=False), nn.Tanh())
            self.D = nn.Sequential(
                nn.Conv2d(3, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
                nn.Conv2d(ndf, 2 * ndf, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * ndf), nn.LeakyReLU(0.2),
                nn.Conv2d(2 * ndf, 4 * ndf, 4, 2, 1, bias=False), nn.BatchNorm2d(4 * ndf), nn.LeakyReLU(0.2),
                nn.Conv2d(4 * ndf, 8 * ndf, 4, 2, 1, bias=False), nn.BatchNorm2d(8 * ndf), nn.LeakyReLU(0.2),
                nn.Conv2d(8 * ndf, 1, 4, 1, 0, bias=False))
            for m in list(self.G.modules()) + list(self.D.modules()):
                if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                    nn.init.normal_(m.weight, 0.0, 0.02)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.normal_(m.weight, 1.0, 0.02)
                    nn.init.zeros_(m.bias)
            lr, betas, eps = 2e-4, (0.5, 0.999), 1e-8
            self.noise_shape = (batch, NZ, 1, 1)
        else:
            ngf = ndf = 64
            self.G = nn.Sequential(
                nn.ConvTranspose2d(NZ, 4 * ngf, 7, 1, 0, bias=False), nn.BatchNorm2d(4 * ngf), nn.ReLU(),
                nn.ConvTranspose2d(4 * ngf, 2 * ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * ngf), nn.ReLU(),
                nn.ConvTranspose2d(2 * ngf, 1, 4, 2, 1, bias=False), nn.Tanh())
            self.D = nn.Sequential(
                nn.Conv2d(1, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2),
                nn.Conv2d(ndf, 2 * ndf, 4, 2, 1, bias=False), nn.BatchNorm2d(2 * ndf), nn.LeakyReLU(0.2),
                nn.Conv2d(2 * ndf, 1, 7, 1, 0, bias=False))
            for m in list(self.G.modules()) + list(self.D.modules()):  # Radford et al.: N(0, 0.02)
                if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                    nn.init.normal_(m.weight, 0.0, 0.02)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.normal_(m.weight, 1.0, 0.02)
                    nn.init.zeros_(m.bias)
            lr, betas, eps = 2e-4, (0.5, 0.999), 1e-8
            self.noise_shape = (batch, NZ, 1, 1)
        self.G.train()
        self.D.train()
        self.g_params = list(self.G.parameters())
        self.d_params = list(self.D.parameters())
        self.opt_g = torch.optim.Adam(self.g_params, lr=lr, betas=betas, eps=eps)
        self.opt_d = torch.optim.Adam(self.d_params, lr=lr, betas=betas, eps=eps)
        self.loss = nn.BCEWithLogitsLoss()
        out_shape = (batch, 1) if arch == "tf-tutorial" else (batch, 1, 1, 1)
        self.ones = torch.ones(out_shape)
        self.zeros = torch.zeros(out_shape)
        self.step = self.simultaneous_step if arch == "tf-tutorial" else self.alternating_step
        self.image_shape = (batch, 3, 64, 64) if arch == "dcgan64" else (batch, 1, 28, 28)

    def simultaneous_step(self, real, noise):
        """TensorFlow's train_step: one G forward, one D forward on each batch, gen_loss and
        disc_loss from those passes; gen_loss's gradient reaches only G's parameters (through D
        without D's weight gradients), disc_loss's only D's; then both Adam steps."""
        self.opt_g.zero_grad(set_to_none=True)
        self.opt_d.zero_grad(set_to_none=True)
        fake = self.G(noise)
        logits_real = self.D(real)
        logits_fake = self.D(fake)
        loss_g = self.loss(logits_fake, self.ones)
        loss_d = self.loss(logits_real, self.ones) + self.loss(logits_fake, self.zeros)
        loss_g.backward(inputs=self.g_params, retain_graph=True)
        loss_d.backward(inputs=self.d_params)
        self.opt_g.step()
        self.opt_d.step()
        return loss_d.item(), loss_g.item()

    def alternating_step(self, real, noise):
        """pytorch/examples' step: D on real, D on G(z) detached, D's Adam step; then the same fake
        batch through the updated D against label 1, backward into G only, G's Adam step."""
        self.opt_d.zero_grad(set_to_none=True)
        loss_real = self.loss(self.D(real), self.ones)
        loss_real.backward()
        fake = self.G(noise)
        loss_fake = self.loss(self.D(fake.detach()), self.zeros)
        loss_fake.backward()
        self.opt_d.step()
        self.opt_g.zero_grad(set_to_none=True)
        loss_g = self.loss(self.D(fake), self.ones)
        loss_g.backward(inputs=self.g_params)  # D's parameter gradients are not needed (nor computed)
        self.opt_g.step()
        return loss_real.item() + loss_fake.item(), loss_g.item()


# ---------------------------------------------------------------------------------------------
# timing
# ---------------------------------------------------------------------------------------------
def time_steps(torch, preset, batch, a):
    real = torch.rand(*preset.image_shape) * 2 - 1
    for _ in range(a.warmup):
        preset.step(real, torch.randn(preset.noise_shape))
    seconds = []
    for _ in range(a.steps):
        noise = torch.randn(preset.noise_shape)
        t0 = time.perf_counter()
        preset.step(real, noise)
        seconds.append(time.perf_counter() - t0)
    return sorted(seconds)


def multiply_adds(nn, m, in_shape, out_shape):
    """Formula count of `dcgan bench`: taps on padding included."""
    if isinstance(m, nn.Linear):
        return in_shape[0] * m.in_features * m.out_features
    k = m.kernel_size[0] * m.kernel_size[1]
    if isinstance(m, nn.ConvTranspose2d):  # every input pixel scatters into Cout x k x k outputs
        return in_shape[0] * in_shape[2] * in_shape[3] * m.in_channels * m.out_channels * k
    return out_shape[0] * out_shape[2] * out_shape[3] * m.in_channels * m.out_channels * k


def time_layers(torch, preset, batch, runs):
    nn = torch.nn
    kinds = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)
    shapes = {}
    hooks = []

    def recorder(key):
        def hook(mod, inputs, output):
            shapes.setdefault(key, (mod, tuple(inputs[0].shape), tuple(output.shape)))  # returns None: output kept
        return hook

    for prefix, net in (("G", preset.G), ("D", preset.D)):
        for name, m in net.named_modules():
            if isinstance(m, kinds):
                hooks.append(m.register_forward_hook(recorder((prefix, name))))
    with torch.no_grad():
        preset.D(preset.G(torch.randn(preset.noise_shape)))
    for h in hooks:
        h.remove()
    rows = []
    for (prefix, name), (m, in_shape, out_shape) in shapes.items():
        x = torch.randn(in_shape, requires_grad=True)
        y = m(x)
        grad = torch.randn_like(y)
        y.backward(grad)  # untimed first run
        fwd, bwd = [], []
        for _ in range(runs):
            x.grad = None
            for p in m.parameters():
                p.grad = None
            t0 = time.perf_counter()
            y = m(x)
            t1 = time.perf_counter()
            y.backward(grad)
            t2 = time.perf_counter()
            fwd.append(t1 - t0)
            bwd.append(t2 - t1)
        f, b = statistics.median(fwd), statistics.median(bwd)
        flops = 2.0 * multiply_adds(nn, m, in_shape, out_shape)
        rows.append({
            "name": f"{prefix}.{name} {m}",
            "forward_ms": round(f * 1e3, 3), "backward_ms": round(b * 1e3, 3),
            "forward_ms_min": round(min(fwd) * 1e3, 3), "backward_ms_min": round(min(bwd) * 1e3, 3),
            "gflops": round(3 * flops / (f + b) / 1e9, 2),
            "forward_gflops": round(flops / f / 1e9, 2), "backward_gflops": round(2 * flops / b / 1e9, 2),
        })
    preset.G.train()
    preset.D.train()
    return rows


def run_sgemm(torch, a):
    results = []
    for n in (2048, 3072):
        x = torch.randn(n, n)
        y = torch.randn(n, n)
        torch.mm(x, y)
        torch.mm(x, y)
        seconds = []
        for _ in range(max(3, a.steps)):
            t0 = time.perf_counter()
            torch.mm(x, y)
            seconds.append(time.perf_counter() - t0)
        seconds.sort()
        flop = 2.0 * n ** 3
        row = {"n": n, "gflops_median": round(flop / statistics.median(seconds) / 1e9, 1),
               "gflops_max": round(flop / seconds[0] / 1e9, 1)}
        print(f"sgemm {n}x{n}x{n}: median {row['gflops_median']:.1f} GFLOP/s, best {row['gflops_max']:.1f} GFLOP/s "
              f"({len(seconds)} runs)")
        results.append(row)
    if a.json:
        print(json.dumps({"impl": "pytorch", "mode": "sgemm", "threads": torch.get_num_threads(), "sgemm": results}))


def main(argv):
    a = parse_args(argv)
    threads = a.threads or os.cpu_count()
    # OpenBLAS (Debian's pthread build) and the OpenMP runtime size their pools when they load.
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(a.blas_threads or threads)
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(a.seed)
    print(header(torch, torch.get_num_threads()), flush=True)
    if a.onednn_verbose:
        with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON_CREATION):
            torch.nn.functional.conv2d(torch.randn(8, 64, 14, 14), torch.randn(128, 64, 5, 5), stride=2, padding=2)
        return 0
    if a.sgemm:
        run_sgemm(torch, a)
        return 0

    batch = a.batch_size
    preset = Preset(torch, a.arch, batch)
    print(f"# {a.arch}, batch {batch}, {a.steps} steps after {a.warmup} warm-up", flush=True)
    s = time_steps(torch, preset, batch, a)
    med = statistics.median(s)
    ips_med, ips_min, ips_max = batch / med, batch / s[-1], batch / s[0]
    epoch_s = EPOCH_IMAGES / ips_med
    print(f"step: median {med * 1e3:.1f} ms, min {s[0] * 1e3:.1f} ms, max {s[-1] * 1e3:.1f} ms")
    print(f"img/s: median {ips_med:.1f} (min {ips_min:.1f}, max {ips_max:.1f}); {epoch_s:.1f} s per {EPOCH_IMAGES:,}-image epoch")
    layers = time_layers(torch, preset, batch, a.layer_runs) if a.layer_runs > 0 else []
    if layers:
        print(f"{'layer':<64} {'forward ms':>11} {'backward ms':>12} {'fwd GFLOP/s':>12} {'bwd GFLOP/s':>12}")
        for r in layers:
            name = r["name"] if len(r["name"]) <= 64 else r["name"][:63] + "…"
            print(f"{name:<64} {r['forward_ms']:11.2f} {r['backward_ms']:12.2f} {r['forward_gflops']:12.1f} {r['backward_gflops']:12.1f}")
        print(f"layers: {sum(r['forward_ms'] for r in layers):.1f} ms forward + {sum(r['backward_ms'] for r in layers):.1f} ms "
              "backward once each")
    if a.json:
        print(json.dumps({
            "impl": "pytorch", "torch": torch.__version__, "cpu_capability": cpu_capability(torch),
            "openblas_core": openblas_core()[0], "arch": a.arch, "batch_size": batch,
            "threads": torch.get_num_threads(), "device": "cpu", "steps": a.steps,
            "img_per_s_median": round(ips_med, 2), "img_per_s_min": round(ips_min, 2), "img_per_s_max": round(ips_max, 2),
            "step_ms_median": round(med * 1e3, 3), "epoch_s": round(epoch_s, 2), "load": load_average(), "layers": layers,
        }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
