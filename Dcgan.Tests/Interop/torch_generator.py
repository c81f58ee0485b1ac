# The DCGAN generators of the dcgan and tf-tutorial presets as torch.nn.Sequential modules named "main", as
# pytorch/examples writes them, for Dcgan.Tests.Interop.TorchInteropTests. Reads and writes safetensors by hand
# (json header + raw little-endian data) so that only torch is needed.
#
#   to-torch   CHECKPOINT ARCH NZ NGF NOISE OUT              load our checkpoint's G.* with strict=True, run NOISE
#   from-torch ARCH NZ NGF PREFIX SEED NOISE WEIGHTS OUT     save a random G's state_dict under PREFIX, run NOISE
#
# NOISE and OUT are raw float32 files; both runs are in evaluation mode (BatchNorm uses its running statistics).
import json
import struct
import sys

import torch
from torch import nn

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    tensors = {}
    for key, v in header.items():
        if key == "__metadata__":
            continue
        begin, end = v["data_offsets"]
        tensors[key] = torch.frombuffer(bytearray(body[begin:end]), dtype=DTYPES[v["dtype"]]).reshape(v["shape"]).clone()
    return tensors


def write_safetensors(path, tensors):
    names = {v: k for k, v in DTYPES.items()}
    header, blobs, offset = {}, [], 0
    for key, t in tensors.items():
        blob = t.detach().contiguous().cpu().numpy().tobytes()
        header[key] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


class Generator(nn.Module):
    def __init__(self, arch, nz, ngf):
        super().__init__()
        if arch == "dcgan":
            self.main = nn.Sequential(
                nn.ConvTranspose2d(nz, ngf * 4, 7, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
                nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
                nn.ConvTranspose2d(ngf * 2, 1, 4, 2, 1, bias=False), nn.Tanh())
        elif arch == "tf-tutorial":
            c1, c2, c3 = 4 * ngf, 2 * ngf, ngf
            self.main = nn.Sequential(
                nn.Linear(nz, c1 * 7 * 7, bias=False), nn.BatchNorm1d(c1 * 7 * 7, eps=1e-3, momentum=0.01), nn.LeakyReLU(0.3),
                nn.Unflatten(1, (c1, 7, 7)),
                nn.ConvTranspose2d(c1, c2, 5, 1, 2, 0, bias=False), nn.BatchNorm2d(c2, eps=1e-3, momentum=0.01), nn.LeakyReLU(0.3),
                nn.ConvTranspose2d(c2, c3, 5, 2, 2, 1, bias=False), nn.BatchNorm2d(c3, eps=1e-3, momentum=0.01), nn.LeakyReLU(0.3),
                nn.ConvTranspose2d(c3, 1, 5, 2, 2, 1, bias=False), nn.Tanh())
        else:
            raise SystemExit(f"unknown arch {arch}")
        self.noise_shape = (nz, 1, 1) if arch == "dcgan" else (nz,)

    def forward(self, z):
        return self.main(z)


def run(g, noise_path, out_path):
    noise = torch.frombuffer(bytearray(open(noise_path, "rb").read()), dtype=torch.float32)
    z = noise.reshape(-1, *g.noise_shape)
    with torch.no_grad():
        y = g.eval()(z)
    with open(out_path, "wb") as f:
        f.write(y.contiguous().numpy().tobytes())


def main(argv):
    torch.set_num_threads(1)
    if argv[0] == "to-torch":
        checkpoint, arch, nz, ngf, noise, out = argv[1:]
        g = Generator(arch, int(nz), int(ngf))
        state = {k[2:]: v for k, v in read_safetensors(checkpoint).items() if k.startswith("G.")}
        g.load_state_dict(state, strict=True)
        run(g, noise, out)
    elif argv[0] == "from-torch":
        arch, nz, ngf, prefix, seed, noise, weights, out = argv[1:]
        torch.manual_seed(int(seed))
        g = Generator(arch, int(nz), int(ngf))
        for m in g.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.running_mean.normal_(0, 0.3)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.data.normal_(1, 0.2)
                m.bias.data.normal_(0, 0.2)
                m.num_batches_tracked.fill_(7)
        write_safetensors(weights, {prefix + k: v for k, v in g.state_dict().items()})
        run(g, noise, out)
    else:
        raise SystemExit(f"unknown mode {argv[0]}")


if __name__ == "__main__":
    main(sys.argv[1:])
