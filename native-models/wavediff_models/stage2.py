"""Stage 2: a UNet that predicts the noise eps in x_t = sqrt(abar_t) x_0 + sqrt(1 - abar_t) eps, over
stage-1 latents taken BEFORE quantisation (continuous encoder output z, multiplied by the
latent_scale stored in the manifest so that x_0 has unit variance). A generated x_0 is divided by
latent_scale and passed through quantizer.onnx, then the decoders.

Inputs of the exported denoiser: x_t float32 [B, C, H, W], timestep float32 [B] holding the integer
step index t in 0..T-1; output eps float32 [B, C, H, W]."""
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import ResBlock, SelfAttention, channels_for, group_norm

STAGE2_DEFAULTS = {
    'base_channels': 32,
    'channel_mult': [1, 2],
    'num_res_blocks': 1,
    'attention_lowest': True,
    'num_train_timesteps': 1000,
    'beta_schedule': 'linear',
    'beta_start': 0.0015,
    'beta_end': 0.0155,
}


def timestep_embedding(t, dim, max_period=10000.0):
    """Sinusoidal embedding [cos(t w_i), sin(t w_i)], w_i = max_period^(-i / (dim/2)), i < dim/2."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class UNet(nn.Module):
    def __init__(self, cfg, latent_channels, latent_size):
        super().__init__()
        self.cfg = dict(cfg)
        base = cfg['base_channels']
        levels = len(cfg['channel_mult']) - 1
        if latent_size[0] % (2 ** levels) or latent_size[1] % (2 ** levels):
            raise ValueError(f'latent {latent_size} cannot be halved {levels} times; shorten channel_mult')
        ch = channels_for(base, cfg['channel_mult'], levels)[:levels + 1]
        emb_dim = 4 * base
        self.base = base
        self.time_mlp = nn.Sequential(nn.Linear(base, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.conv_in = nn.Conv2d(latent_channels, ch[0], 3, padding=1)
        self.down = nn.ModuleList()
        skip_ch = [ch[0]]
        cur = ch[0]
        for i in range(levels + 1):
            for _ in range(cfg['num_res_blocks']):
                self.down.append(ResBlock(cur, ch[i], emb_dim))
                cur = ch[i]
                skip_ch.append(cur)
            if i < levels:
                self.down.append(nn.Conv2d(cur, cur, 3, stride=2, padding=1))
                skip_ch.append(cur)
        self.mid1 = ResBlock(cur, cur, emb_dim)
        self.mid_attn = SelfAttention(cur) if cfg['attention_lowest'] else nn.Identity()
        self.mid2 = ResBlock(cur, cur, emb_dim)
        self.up = nn.ModuleList()
        for i in reversed(range(levels + 1)):
            for _ in range(cfg['num_res_blocks'] + 1):
                self.up.append(ResBlock(cur + skip_ch.pop(), ch[i], emb_dim))
                cur = ch[i]
            if i > 0:
                self.up.append(nn.Conv2d(cur, cur, 3, padding=1))  # after 2x nearest upsampling
        self.norm_out = group_norm(cur)
        self.conv_out = nn.Conv2d(cur, latent_channels, 3, padding=1)
        nn.init.zeros_(self.conv_out.weight)
        nn.init.zeros_(self.conv_out.bias)

    def forward(self, x, t):
        emb = self.time_mlp(timestep_embedding(t, self.base))
        h = self.conv_in(x)
        skips = [h]
        for layer in self.down:
            h = layer(h, emb) if isinstance(layer, ResBlock) else layer(h)
            skips.append(h)
        h = self.mid2(self.mid_attn(self.mid1(h, emb)), emb)
        for layer in self.up:
            if isinstance(layer, ResBlock):
                h = layer(torch.cat([h, skips.pop()], dim=1), emb)
            else:
                h = layer(F.interpolate(h, scale_factor=2.0, mode='nearest'))
        return self.conv_out(F.silu(self.norm_out(h)))


class NoiseSchedule:
    """betas: 'linear'        beta_t = beta_start + (beta_end - beta_start) t / (T - 1)
              'scaled_linear' beta_t = (sqrt(beta_start) + (sqrt(beta_end) - sqrt(beta_start)) t / (T - 1))^2
                              (what latent-diffusion code calls "linear")
    alpha_t = 1 - beta_t, abar_t = prod_{s<=t} alpha_s, t = 0..T-1."""

    def __init__(self, kind='linear', beta_start=0.0015, beta_end=0.0155, num_train_timesteps=1000):
        self.kind = kind
        self.beta_start = beta_start
        self.beta_end = beta_end
        self.T = num_train_timesteps
        if kind == 'linear':
            betas = np.linspace(beta_start, beta_end, self.T, dtype=np.float64)
        elif kind == 'scaled_linear':
            betas = np.linspace(beta_start ** 0.5, beta_end ** 0.5, self.T, dtype=np.float64) ** 2
        else:
            raise ValueError(f'beta schedule {kind!r}: use linear or scaled_linear')
        self.betas = betas
        self.alphas_cumprod = np.cumprod(1.0 - betas)
        self.sqrt_abar = torch.tensor(np.sqrt(self.alphas_cumprod), dtype=torch.float32)
        self.sqrt_one_minus_abar = torch.tensor(np.sqrt(1.0 - self.alphas_cumprod), dtype=torch.float32)

    def add_noise(self, x0, eps, t):
        a = self.sqrt_abar.to(x0.device)[t][:, None, None, None]
        s = self.sqrt_one_minus_abar.to(x0.device)[t][:, None, None, None]
        return a * x0 + s * eps

    @torch.no_grad()
    def ddim_sample(self, model, shape, steps=50, generator=None, device='cpu'):
        """Deterministic DDIM (eta = 0) over `steps` evenly spaced timesteps, for previews."""
        x = torch.randn(shape, generator=generator).to(device)
        ts = np.linspace(self.T - 1, 0, steps).round().astype(np.int64)
        for i, t in enumerate(ts):
            abar = float(self.alphas_cumprod[t])
            abar_prev = float(self.alphas_cumprod[ts[i + 1]]) if i + 1 < len(ts) else 1.0
            eps = model(x, torch.full((shape[0],), float(t), device=device))
            x0 = (x - math.sqrt(1 - abar) * eps) / math.sqrt(abar)
            x = math.sqrt(abar_prev) * x0 + math.sqrt(1 - abar_prev) * eps
        return x

    def to_dict(self):
        return {'type': self.kind, 'beta_start': self.beta_start, 'beta_end': self.beta_end,
                'num_train_timesteps': self.T, 'prediction': 'eps',
                'timestep_input': 'float32 [B], integer step index 0..num_train_timesteps-1'}
