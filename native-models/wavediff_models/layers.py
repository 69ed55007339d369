"""Building blocks shared by stage 1 and stage 2. Only operators that PyTorch 1.13 exports to
ONNX opset 17 (Conv, GroupNormalization via InstanceNormalization, Resize, MatMul, Softmax)."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def group_norm(channels):
    """GroupNorm with at most 8 groups of at least 4 channels each (a group of one channel would be
    instance norm, which throws away each channel's level)."""
    groups = next(g for g in (8, 4, 2, 1) if channels % g == 0 and (channels // g >= 4 or g == 1))
    return nn.GroupNorm(groups, channels, eps=1e-6)


class ResBlock(nn.Module):
    """GroupNorm-SiLU-Conv3x3 twice with a residual path; optional timestep embedding added
    between the two convolutions (stage 2)."""

    def __init__(self, in_ch, out_ch, emb_dim=None):
        super().__init__()
        self.norm1 = group_norm(in_ch)
        self.conv1 = nn.Conv2d(in_ch, out_ch, 3, padding=1)
        self.emb = nn.Linear(emb_dim, out_ch) if emb_dim else None
        self.norm2 = group_norm(out_ch)
        self.conv2 = nn.Conv2d(out_ch, out_ch, 3, padding=1)
        self.skip = nn.Conv2d(in_ch, out_ch, 1) if in_ch != out_ch else nn.Identity()

    def forward(self, x, emb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.emb is not None:
            h = h + self.emb(F.silu(emb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class SelfAttention(nn.Module):
    """Single-head spatial self-attention, softmax(Q K^T / sqrt(C)) V, written with matmul so it
    exports on opset 17 (no scaled_dot_product_attention)."""

    def __init__(self, channels):
        super().__init__()
        self.norm = group_norm(channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.proj = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, c, h * w).unbind(1)
        attn = torch.softmax(torch.matmul(q.transpose(1, 2), k) / math.sqrt(c), dim=-1)  # [b, hw, hw]
        out = torch.matmul(v, attn.transpose(1, 2)).reshape(b, c, h, w)
        return x + self.proj(out)


class Downsample(nn.Module):
    def __init__(self, channels, stride):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=stride, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample(nn.Module):
    """Nearest-neighbour upsampling by an integer factor per axis, cropped to the matching encoder
    level's size (63 -> 126 -> 125 undoes the halving 125 -> 63), then a 3x3 convolution. Factors
    and crops are constants, so the exported graph keeps static shapes."""

    def __init__(self, channels, factor, size=None):
        super().__init__()
        self.factor = (int(factor[0]), int(factor[1]))
        self.size = (int(size[0]), int(size[1])) if size else None
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        x = F.interpolate(x, scale_factor=(float(self.factor[0]), float(self.factor[1])), mode='nearest')
        if self.size is not None:
            x = x[:, :, :self.size[0], :self.size[1]]
        return self.conv(x)


def _halvings(n_in, n_out):
    """How many stride-2 convolutions (kernel 3, padding 1: n -> ceil(n / 2)) take n_in to n_out."""
    levels, n = 0, n_in
    while n > n_out:
        n = (n + 1) // 2
        levels += 1
    if n != n_out:
        raise ValueError(f'size {n_in} -> {n_out}: halving (n -> ceil(n/2)) does not reach {n_out} '
                         f'(e.g. 256 -> 16, 250 -> 16, 64 -> 16)')
    return levels


def stride_plan(in_size, out_size):
    """Per-level (stride_h, stride_w) that take in_size to out_size by halvings n -> ceil(n/2).
    Levels = the larger number of halvings; the axis with fewer halves first."""
    plan_axes = [_halvings(n_in, n_out) for n_in, n_out in zip(in_size, out_size)]
    levels = max(plan_axes)
    return [(2 if i < plan_axes[0] else 1, 2 if i < plan_axes[1] else 1) for i in range(levels)]


def level_sizes(in_size, plan):
    """Map size at each level of a stride plan: [in_size, after level 0, ...]."""
    sizes = [tuple(in_size)]
    for sh, sw in plan:
        h, w = sizes[-1]
        sizes.append(((h + 1) // 2 if sh == 2 else h, (w + 1) // 2 if sw == 2 else w))
    return sizes


def channels_for(base, mult, levels):
    """Channel count of each level: base * mult[i], the last multiplier repeated if mult is short."""
    mult = list(mult) or [1]
    return [int(base * (mult[i] if i < len(mult) else mult[-1])) for i in range(levels + 1)]
