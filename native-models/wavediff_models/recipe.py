"""The optimisation recipe shared by the three networks: learning rate with linear warm-up and
cosine decay over cycles (a resumed campaign that raises --steps starts a new, lower cycle), and an
exponential moving average of the weights that evaluation and export use."""
import contextlib
import math

import torch

RESTART_PEAK_FACTOR = 0.5  # a new cycle (raised --steps) peaks at half the previous cycle's peak


def first_cycle(total_steps, peak_lr):
    return [{'start': 0, 'end': int(total_steps), 'peak_lr': float(peak_lr)}]


def extend_cycles(cycles, step, total_steps, peak_lr=None):
    """The cycle list for a run that continues at `step` towards `total_steps`: unchanged when the
    total is the last cycle's end; else a new cycle from `step` (warm restart) peaking at `peak_lr`,
    by default half the last cycle's peak. A new cycle supersedes the rest of an unfinished one."""
    last = cycles[-1]
    if total_steps == last['end'] or total_steps <= step:
        return cycles
    peak = last['peak_lr'] * RESTART_PEAK_FACTOR if peak_lr is None else float(peak_lr)
    return cycles + [{'start': int(step), 'end': int(total_steps), 'peak_lr': peak}]


def learning_rate(step, cycles, warmup_fraction, min_lr_fraction):
    """lr for optimiser step `step` (0-based): in the latest cycle that started at or before it, with
    start S, end E, peak P, length L = E - S and u = step - S; warm-up W = ceil(warmup_fraction L):
    lr = P (u + 1) / W for u < W, then lr = P (m + (1 - m) (1 + cos(pi (u - W) / (L - W))) / 2),
    m = min_lr_fraction. Past E: the cycle's final value P m."""
    cycle = next((c for c in reversed(cycles) if c['start'] <= step), cycles[0])
    peak, length = cycle['peak_lr'], max(1, cycle['end'] - cycle['start'])
    u = min(step - cycle['start'], length)
    warmup = max(1, math.ceil(warmup_fraction * length))
    if u < warmup:
        return peak * (u + 1) / warmup
    progress = min(1.0, (u - warmup) / max(1, length - warmup))
    return peak * (min_lr_fraction + (1 - min_lr_fraction) * 0.5 * (1 + math.cos(math.pi * progress)))


class WeightEMA:
    """Shadow copy of every module's state: floating-point entries (weights, and buffers such as
    batch-norm statistics and the quantiser's codebook) averaged with decay
    d_n = min(max_decay, (1 + n) / (10 + n)) after update n; other entries copied, and so are the
    entries named in `fixed` ({module name: keys} the run does not train): averaging a constant
    drifts it by rounding, and a fixed encoder must stay bit for bit the one it was given."""

    def __init__(self, modules, max_decay, fixed=None):
        self.max_decay = float(max_decay)
        self.updates = 0
        self.fixed = {name: frozenset(keys) for name, keys in (fixed or {}).items()}
        self.shadow = {name: {k: v.detach().clone() for k, v in m.state_dict().items()}
                       for name, m in modules.items()}

    @torch.no_grad()
    def update(self, modules):
        self.updates += 1
        decay = min(self.max_decay, (1 + self.updates) / (10 + self.updates))
        for name, m in modules.items():
            shadow = self.shadow[name]
            fixed = self.fixed.get(name, ())
            for k, v in m.state_dict().items():
                if v.dtype.is_floating_point and k not in fixed:
                    shadow[k].mul_(decay).add_(v.detach(), alpha=1 - decay)
                else:
                    shadow[k].copy_(v)

    @torch.no_grad()
    def copy_fixed(self, modules):
        """Sets the fixed entries to the live ones (a run resumed from a checkpoint whose average of
        them drifted)."""
        for name, keys in self.fixed.items():
            live = modules[name].state_dict()
            for k in keys:
                self.shadow[name][k].copy_(live[k])

    def state_dict(self):
        return {'updates': self.updates, 'max_decay': self.max_decay, 'shadow': self.shadow}

    def load_state_dict(self, state):
        self.updates = state['updates']
        self.max_decay = state['max_decay']
        for name, entries in state['shadow'].items():
            for k, v in entries.items():
                self.shadow[name][k].copy_(v)

    @contextlib.contextmanager
    def applied(self, modules):
        """Runs the block with the averaged weights in the modules, then puts the live ones back."""
        live = {name: {k: v.detach().clone() for k, v in m.state_dict().items()} for name, m in modules.items()}
        try:
            for name, m in modules.items():
                m.load_state_dict(self.shadow[name])
            yield
        finally:
            for name, m in modules.items():
                m.load_state_dict(live[name])
