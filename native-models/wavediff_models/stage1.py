"""Stage 1: one encoder seismic -> latent map, a vector quantiser, and two decoders
latent -> seismic and latent -> velocity (the shared latent space of the method).

Shapes (defaults): seismic [B, 5, 250, 70] (time averaged 1000 -> 250 in preprocessing, all 70
receivers kept) -> latent z [B, 8, 16, 16] -> quantised z_q [B, 8, 16, 16] -> seismic [B, 5, 250, 70]
and velocity [B, 1, 70, 70], all in the normalised [-1, 1] domain.

Receiver and velocity grids of 70 are not reached by halvings, so a learned "adapter" convolution
without padding maps them to the network's width first (kernel (3, 7): 70 -> 64 receivers; (7, 7):
70 x 70 -> 64 x 64 velocity) and its transpose maps the decoder's output back. Each decoder adds a
per-pixel output bias initialised from the training data (the median seismic, the mean velocity), so
training starts from the data's typical gather instead of a flat one.

Quantiser: EMA codebook (van den Oord et al. 2017, appendix), no gradient to the codebook; the
encoder gets the commitment loss beta * ||z - sg(e)||^2 and the straight-through gradient.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .layers import Downsample, ResBlock, Upsample, channels_for, group_norm, level_sizes, stride_plan

STAGE1_DEFAULTS = {
    'sources': 5,
    'seismic_size': [250, 70],
    'velocity_size': [70, 70],
    # Adapter kernels (time/depth, receivers/width); None: the grid is halved directly.
    'seismic_adapter': [3, 7],
    'velocity_adapter': [7, 7],
    'output_bias': True,
    'latent_size': [16, 16],
    'base_channels': 8,
    # Width of the velocity decoder alone (None: base_channels); a refit of that decoder may widen it.
    'velocity_base_channels': None,
    'channel_mult': [1, 2, 4, 8],
    'codebook_size': 512,
    'codebook_dim': 8,
    'commitment_beta': 0.25,
    'ema_decay': 0.99,
    'velocity_weight': 1.0,
    'seismic_weight': 1.0,
    # Relative L2 of the decoded seismic in physical amplitude units (the card's metric), per sample.
    'seismic_physical_weight': 1.0,
    # Optional adversarial term on the velocity decoder (0 = off: no discriminator is built).
    'adversarial_weight': 0.0,
    'adversarial_start': 0,
    'discriminator_channels': 32,
}


def adapted_size(size, adapter):
    """Grid size after an adapter convolution (padding keeps the first axis when its kernel is 3)."""
    if not adapter:
        return list(size)
    kh, kw = adapter
    pad_h = kh // 2 if kh == 3 else 0
    return [size[0] - kh + 1 + 2 * pad_h, size[1] - kw + 1]


def _adapter_padding(adapter):
    return (adapter[0] // 2 if adapter[0] == 3 else 0, 0)


class Encoder(nn.Module):
    def __init__(self, in_ch, in_size, latent_size, latent_dim, base, mult, adapter=None):
        super().__init__()
        inner = adapted_size(in_size, adapter)
        plan = stride_plan(inner, latent_size)
        ch = channels_for(base, mult, len(plan))
        if adapter:
            self.conv_in = nn.Conv2d(in_ch, ch[0], tuple(adapter), padding=_adapter_padding(adapter))
        else:
            self.conv_in = nn.Conv2d(in_ch, ch[0], 3, padding=1)
        blocks = []
        for i, stride in enumerate(plan):
            blocks.append(ResBlock(ch[i], ch[i + 1]))
            blocks.append(Downsample(ch[i + 1], stride))
        self.blocks = nn.Sequential(*blocks)
        self.mid = ResBlock(ch[-1], ch[-1])
        self.norm_out = group_norm(ch[-1])
        self.conv_out = nn.Conv2d(ch[-1], latent_dim, 1)

    def forward(self, x):
        h = self.mid(self.blocks(self.conv_in(x)))
        return self.conv_out(F.silu(self.norm_out(h)))


class Decoder(nn.Module):
    def __init__(self, latent_dim, latent_size, out_ch, out_size, base, mult, tanh, adapter=None,
                 output_bias=False):
        super().__init__()
        inner = adapted_size(out_size, adapter)
        plan = stride_plan(inner, latent_size)
        sizes = level_sizes(inner, plan)
        ch = channels_for(base, mult, len(plan))
        self.conv_in = nn.Conv2d(latent_dim, ch[-1], 3, padding=1)
        self.mid = ResBlock(ch[-1], ch[-1])
        blocks = []
        for i in reversed(range(len(plan))):
            blocks.append(Upsample(ch[i + 1], plan[i], sizes[i]))
            blocks.append(ResBlock(ch[i + 1], ch[i]))
        self.blocks = nn.Sequential(*blocks)
        self.norm_out = group_norm(ch[0])
        if adapter:
            self.conv_out = nn.ConvTranspose2d(ch[0], out_ch, tuple(adapter), padding=_adapter_padding(adapter))
        else:
            self.conv_out = nn.Conv2d(ch[0], out_ch, 3, padding=1)
        # Per-pixel level added before tanh (pre-activation for velocity); set from data by init_output_bias.
        self.output_bias = nn.Parameter(torch.zeros(1, out_ch, *out_size)) if output_bias else None
        self.tanh = tanh

    @torch.no_grad()
    def init_output_bias(self, typical):
        """typical: [out_ch, H, W] in the output domain (normalised units); the decoder then starts
        from it (for a tanh output, from its atanh)."""
        if self.output_bias is None:
            return
        level = typical.clamp(-0.995, 0.995)
        level = torch.atanh(level) if self.tanh else typical
        self.output_bias.copy_(level[None].to(self.output_bias))
        self.conv_out.weight.mul_(0.1)
        self.conv_out.bias.zero_()

    def forward(self, z):
        h = self.blocks(self.mid(self.conv_in(z)))
        out = self.conv_out(F.silu(self.norm_out(h)))
        if self.output_bias is not None:
            out = out + self.output_bias
        return torch.tanh(out) if self.tanh else out


class VectorQuantizer(nn.Module):
    """Nearest-codeword quantiser over the channel axis of z [B, D, H, W].
    Codebook updated by exponential moving averages of the assigned vectors (decay gamma):
      N_k <- gamma N_k + (1-gamma) n_k,  m_k <- gamma m_k + (1-gamma) sum_{z->k} z,  e_k = m_k / N_k~
    (N~ Laplace-smoothed). Unused codewords (N_k < dead_threshold) are restarted at random z of
    the batch; the codebook is initialised from the first training batch."""

    def __init__(self, codebook_size, dim, decay=0.99, beta=0.25, eps=1e-5, dead_threshold=0.03):
        super().__init__()
        self.codebook_size = codebook_size
        self.dim = dim
        self.decay = decay
        self.beta = beta
        self.eps = eps
        self.dead_threshold = dead_threshold
        self.register_buffer('codebook', torch.randn(codebook_size, dim) * 0.1)
        self.register_buffer('ema_count', torch.ones(codebook_size))
        self.register_buffer('ema_sum', self.codebook.clone())
        self.register_buffer('initialised', torch.zeros((), dtype=torch.bool))

    def indices(self, z):
        """Codeword index of every latent vector: argmin_k ||z - e_k||^2, [B, H, W] int64."""
        b, d, h, w = z.shape
        flat = z.permute(0, 2, 3, 1).reshape(-1, d)
        dist = (flat.pow(2).sum(1, keepdim=True) - 2.0 * flat @ self.codebook.t()
                + self.codebook.pow(2).sum(1)[None, :])
        return torch.argmin(dist, dim=1).reshape(b, h, w)

    def lookup(self, idx):
        """Codewords for indices [B, H, W] -> [B, D, H, W]."""
        return F.embedding(idx, self.codebook).permute(0, 3, 1, 2)

    def forward(self, z):
        """Returns (z_q with straight-through gradient, commitment loss, indices)."""
        if self.training:
            self._update(z.detach())
        idx = self.indices(z)
        z_q = self.lookup(idx)
        commitment = self.beta * F.mse_loss(z, z_q.detach())
        return z + (z_q - z).detach(), commitment, idx

    @torch.no_grad()
    def _update(self, z):
        flat = z.permute(0, 2, 3, 1).reshape(-1, self.dim)
        if not bool(self.initialised):
            start = self._samples(flat, self.codebook_size)
            self.codebook.copy_(start)
            self.ema_sum.copy_(start)
            self.ema_count.fill_(1.0)
            self.initialised.fill_(True)
        idx = self.indices(z).reshape(-1)
        onehot = F.one_hot(idx, self.codebook_size).type(flat.dtype)
        self.ema_count.mul_(self.decay).add_(onehot.sum(0), alpha=1 - self.decay)
        self.ema_sum.mul_(self.decay).add_(onehot.t() @ flat, alpha=1 - self.decay)
        n = self.ema_count.sum()
        smoothed = (self.ema_count + self.eps) / (n + self.codebook_size * self.eps) * n
        self.codebook.copy_(self.ema_sum / smoothed[:, None])
        dead = self.ema_count < self.dead_threshold
        n_dead = int(dead.sum())
        if n_dead:
            restart = self._samples(flat, n_dead)
            self.codebook[dead] = restart
            self.ema_sum[dead] = restart
            self.ema_count[dead] = 1.0

    @staticmethod
    def _samples(flat, n):
        """n latent vectors of the batch (without repetition where the batch allows), jittered by 1% of
        their spread: silent regions of a gather encode to identical vectors, and identical codewords
        would make the argmin ambiguous between PyTorch and ONNX Runtime."""
        if flat.shape[0] >= n:
            pick = torch.randperm(flat.shape[0], device=flat.device)[:n]
        else:
            pick = torch.randint(0, flat.shape[0], (n,), device=flat.device)
        spread = flat.std().clamp_min(1e-3)
        return flat[pick] + 0.01 * spread * torch.randn(n, flat.shape[1], device=flat.device)


class Stage1Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = dict(cfg)
        c = self.cfg
        self.encoder = Encoder(c['sources'], c['seismic_size'], c['latent_size'], c['codebook_dim'],
                               c['base_channels'], c['channel_mult'], c.get('seismic_adapter'))
        self.quantizer = VectorQuantizer(c['codebook_size'], c['codebook_dim'], c['ema_decay'],
                                         c['commitment_beta'])
        self.decoder_seismic = Decoder(c['codebook_dim'], c['latent_size'], c['sources'], c['seismic_size'],
                                       c['base_channels'], c['channel_mult'], tanh=False,
                                       adapter=c.get('seismic_adapter'), output_bias=c.get('output_bias', False))
        self.decoder_velocity = Decoder(c['codebook_dim'], c['latent_size'], 1, c['velocity_size'],
                                        c.get('velocity_base_channels') or c['base_channels'], c['channel_mult'],
                                        tanh=True,
                                        adapter=c.get('velocity_adapter'), output_bias=c.get('output_bias', False))

    def forward(self, seismic):
        z = self.encoder(seismic)
        z_q, vq_loss, idx = self.quantizer(z)
        return self.decoder_seismic(z_q), self.decoder_velocity(z_q), vq_loss, idx


class PatchDiscriminator(nn.Module):
    """PatchGAN critic on velocity maps [B, 1, H, W] -> logits [B, 1, H/4 - 2, W/4 - 2] (one per patch);
    GroupNorm rather than batch norm so a critic score does not depend on the rest of the batch."""

    def __init__(self, in_ch=1, channels=32):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(in_ch, channels, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(channels, 2 * channels, 4, 2, 1), group_norm(2 * channels), nn.LeakyReLU(0.2),
            nn.Conv2d(2 * channels, 4 * channels, 4, 1, 1), group_norm(4 * channels), nn.LeakyReLU(0.2),
            nn.Conv2d(4 * channels, 1, 4, 1, 1))

    def forward(self, x):
        return self.net(x)


class QuantizerGraph(nn.Module):
    """Exported as quantizer.onnx: continuous latent -> (quantised latent, codeword indices)."""

    def __init__(self, quantizer):
        super().__init__()
        self.quantizer = quantizer

    def forward(self, latent):
        idx = self.quantizer.indices(latent)
        return self.quantizer.lookup(idx), idx
