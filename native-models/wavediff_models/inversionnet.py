"""InversionNet (Wu & Lin 2019; OpenFWI's baseline), written from OPENFWI.md's description:
seismic [B, 5, 1000, 70] normalised -> velocity [B, 1, 70, 70] in [-1, 1].

Encoder: (k x 1) convolutions reduce time first (7x1 stride (2,1) to 32 ch; 3x1 blocks to 128 ch on
a 63 x 70 map), 3x3 stride-2 blocks (128, 256, 256 ch), then one convolution without padding whose
kernel covers the whole remaining map -> 512 x 1 x 1. Decoder: transposed conv (kernel 5) to 5 x 5,
four stride-2 transposed convs (256, 128, 64, 32 ch) each followed by a 3x3 conv -> 80 x 80, crop 5
per side -> 70 x 70, 3x3 conv to 1 channel + batch norm + tanh. Every block: conv, BN, LeakyReLU(0.2).
`width` multiplies every channel count (1.0: about 24.4 M parameters)."""
import torch
import torch.nn as nn

INVERSIONNET_DEFAULTS = {
    'sources': 5,
    # Network input: time averaged 1000 -> 250 in preprocessing (the manifest declares it), receivers kept.
    'input_size': [250, 70],
    'output_size': [70, 70],
    'width': 0.25,
}

# Which of the seven time blocks stride by 2, in order of preference: 1000 samples take four
# halvings (OpenFWI's 2,2,1,2,1,2,1 -> 63), 250 take two (2,1,1,2,1,1,1 -> 63).
_TIME_HALVING_ORDER = (0, 3, 1, 5, 2, 4, 6)


def time_strides(time_samples, target=63):
    halvings, n = 0, time_samples
    while n > target and halvings < len(_TIME_HALVING_ORDER):
        n = (n + 1) // 2
        halvings += 1
    chosen = set(_TIME_HALVING_ORDER[:halvings])
    return [2 if i in chosen else 1 for i in range(len(_TIME_HALVING_ORDER))]


def _block(in_ch, out_ch, kernel=(3, 3), stride=(1, 1), padding=(1, 1)):
    return nn.Sequential(nn.Conv2d(in_ch, out_ch, kernel, stride, padding),
                         nn.BatchNorm2d(out_ch), nn.LeakyReLU(0.2))


def _up_block(in_ch, out_ch, kernel, stride, padding):
    return nn.Sequential(nn.ConvTranspose2d(in_ch, out_ch, kernel, stride, padding),
                         nn.BatchNorm2d(out_ch), nn.LeakyReLU(0.2))


def _conv_out_size(n, kernel, stride, padding):
    return (n + 2 * padding - kernel) // stride + 1


class InversionNet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = dict(cfg)
        w = cfg['width']

        def c(n):
            return max(4, int(round(n * w)))

        strides = time_strides(cfg['input_size'][0])
        t_blocks = [(out, k, s) for (out, k), s in zip(  # (out, kernel_t, stride_t) along time only
            [(c(32), 7), (c(64), 3), (c(64), 3), (c(64), 3), (c(64), 3), (c(128), 3), (c(128), 3)], strides)]
        layers = []
        in_ch = cfg['sources']
        h, wid = cfg['input_size']
        for out, k, s in t_blocks:
            layers.append(_block(in_ch, out, (k, 1), (s, 1), (k // 2, 0)))
            h = _conv_out_size(h, k, s, k // 2)
            in_ch = out
        for out, s in ((c(128), 2), (c(128), 1), (c(256), 2), (c(256), 1), (c(256), 2), (c(256), 1)):
            layers.append(_block(in_ch, out, (3, 3), (s, s), (1, 1)))
            h, wid = _conv_out_size(h, 3, s, 1), _conv_out_size(wid, 3, s, 1)
            in_ch = out
        # For 1000 x 70 input the map is 8 x 9 here: kernel (8, 9), no padding -> 1 x 1.
        self.encoder_map = (h, wid)
        layers.append(_block(in_ch, c(512), (h, wid), (1, 1), (0, 0)))
        self.encoder = nn.Sequential(*layers)
        dec = [_up_block(c(512), c(512), 5, 1, 0), _block(c(512), c(512))]
        in_ch = c(512)
        for out in (c(256), c(128), c(64), c(32)):
            dec += [_up_block(in_ch, out, 4, 2, 1), _block(out, out)]
            in_ch = out
        self.decoder = nn.Sequential(*dec)
        self.out_conv = nn.Conv2d(in_ch, 1, 3, 1, 1)
        self.out_norm = nn.BatchNorm2d(1)
        oh, ow = cfg['output_size']
        if oh > 80 or ow > 80:
            raise ValueError(f'output {oh}x{ow}: InversionNet decodes to 80x80 and crops; at most 80x80')
        self.crop = ((80 - oh) // 2, (80 - ow) // 2)

    def forward(self, seismic):
        x = self.decoder(self.encoder(seismic))  # [B, c32, 80, 80]
        oh, ow = self.cfg['output_size']
        ch, cw = self.crop
        x = x[:, :, ch:ch + oh, cw:cw + ow]
        return torch.tanh(self.out_norm(self.out_conv(x)))
