"""Writes the tiny ONNX models and PyTorch's outputs for them that main/core/ml/onnxPool.test.ts checks.

    /usr/bin/python3 main/core/ml/testdata/make_test_models.py

Needs PyTorch (Debian's 1.13 CPU build is enough) and numpy; the onnx package is not needed.
Writes, beside this script (all small, committed):
  denoiser_tiny.onnx      x_t float32 [batch, 4, 8, 8], timestep float32 [batch] -> eps float32 [batch, 4, 8, 8]
                          (conv, sinusoidal timestep embedding, SiLU, conv: the shape of the stage-2 denoiser)
  codes_tiny.onnx         codes int64 [batch, 6] -> embedded float32 [batch, 6, 3], total int64 [batch]
  denoiser_tiny.{x_t,timestep,eps}.npy     batch 3, PyTorch's output for those inputs
  codes_tiny.{codes,embedded,total}.npy    batch 2
"""
import inspect
import math
import os
import sys

try:
    import numpy as np
    import torch
    import torch.nn as nn
except ImportError as error:  # pragma: no cover - depends on the machine
    sys.exit(f'make_test_models.py needs PyTorch and numpy ({error}); run it with /usr/bin/python3.')

HERE = os.path.dirname(os.path.abspath(__file__))
OPSET = 17


class TinyDenoiser(nn.Module):
    def __init__(self, channels=4, hidden=8):
        super().__init__()
        self.hidden = hidden
        self.conv_in = nn.Conv2d(channels, hidden, 3, padding=1)
        self.time = nn.Linear(hidden, hidden)
        self.conv_out = nn.Conv2d(hidden, channels, 3, padding=1)

    def forward(self, x_t, timestep):
        half = self.hidden // 2
        freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
        args = timestep[:, None] * freqs[None, :]
        embedding = self.time(torch.cat([torch.cos(args), torch.sin(args)], dim=1))
        h = self.conv_in(x_t) + embedding[:, :, None, None]
        return self.conv_out(h * torch.sigmoid(h))


class TinyCodes(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(16, 3)

    def forward(self, codes):
        return self.embedding(codes), codes.sum(dim=1)


def export(module, args, name, input_names, output_names):
    kwargs = dict(opset_version=OPSET, input_names=input_names, output_names=output_names,
                  dynamic_axes={n: {0: 'batch'} for n in input_names + output_names}, do_constant_folding=True)
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False  # PyTorch >= 2.9 defaults to the dynamo exporter
    path = os.path.join(HERE, name + '.onnx')
    with torch.no_grad():
        torch.onnx.export(module, args, path, **kwargs)
    return path


def save(name, array):
    np.save(os.path.join(HERE, name + '.npy'), np.ascontiguousarray(array))


def main():
    torch.manual_seed(20241123)
    torch.set_num_threads(1)

    denoiser = TinyDenoiser().eval()
    export(denoiser, (torch.randn(2, 4, 8, 8), torch.tensor([10.0, 500.0])), 'denoiser_tiny', ['x_t', 'timestep'], ['eps'])
    x_t = torch.randn(3, 4, 8, 8)
    timestep = torch.tensor([0.0, 417.0, 999.0])
    with torch.no_grad():
        eps = denoiser(x_t, timestep)
    save('denoiser_tiny.x_t', x_t.numpy())
    save('denoiser_tiny.timestep', timestep.numpy())
    save('denoiser_tiny.eps', eps.numpy())

    codes_model = TinyCodes().eval()
    export(codes_model, (torch.randint(0, 16, (2, 6)),), 'codes_tiny', ['codes'], ['embedded', 'total'])
    codes = torch.tensor([[0, 3, 15, 7, 7, 1], [9, 2, 4, 14, 0, 11]], dtype=torch.int64)
    with torch.no_grad():
        embedded, total = codes_model(codes)
    save('codes_tiny.codes', codes.numpy())
    save('codes_tiny.embedded', embedded.numpy())
    save('codes_tiny.total', total.numpy())

    sizes = {f: os.path.getsize(os.path.join(HERE, f)) for f in sorted(os.listdir(HERE)) if f.endswith(('.onnx', '.npy'))}
    print(f'wrote {len(sizes)} files, {sum(sizes.values())} bytes, with torch {torch.__version__}')


if __name__ == '__main__':
    main()
