"""Mirror augmentation for OpenFWI's acquisition (shared/OPENFWI.md): 5 shots at x = 0, 17, 34, 52, 69
over 70 receivers at x = 0..69.

Mirroring the velocity model left-right mirrors the whole experiment: the shot at x becomes one at
69 - x and every gather is read backwards. Four shots land on shots of the same geometry (0 <-> 69,
17 <-> 52), so their mirrored gathers are exactly what the solver records for the mirrored model. The
middle shot at 34 lands on x = 35, where there is none; its gather is moved one receiver towards x = 0
(receiver r takes the trace of r + 1, the last receiver repeats), which is the gather of a shot at 34
where the model is laterally uniform over one cell. Measured with the solver (fd_torch) on held-out
synthetic models, relative L2 of that middle gather against the solver's: FlatVel-A 0.029 (the repeated
edge trace; 8e-5 inside), CurveVel-A 0.038, CurveFault-A 0.039; the other four gathers match to
float rounding."""
import torch

OPENFWI_SOURCES = (0, 17, 34, 52, 69)
OPENFWI_RECEIVERS = 70


class AugmentError(ValueError):
    pass


def check_mirrorable(sources, receivers):
    if sources != len(OPENFWI_SOURCES) or receivers != OPENFWI_RECEIVERS:
        raise AugmentError(f'mirror augmentation is for OpenFWI\'s acquisition ({len(OPENFWI_SOURCES)} shots over '
                           f'{OPENFWI_RECEIVERS} receivers); this data has {sources} shots over {receivers} receivers')


def mirror_seismic(seismic):
    """[B, 5, T, 70] gathers of a model -> those of the mirrored model (see the module's note)."""
    mirrored = seismic.flip(1).flip(-1)
    middle = len(OPENFWI_SOURCES) // 2
    shifted = torch.cat([mirrored[:, middle, :, 1:], mirrored[:, middle, :, -1:]], dim=-1)
    return torch.cat([mirrored[:, :middle], shifted[:, None], mirrored[:, middle + 1:]], dim=1)


def mirror_velocity(velocity):
    """[B, C, depth, width] -> mirrored left-right."""
    return velocity.flip(-1)


def mirror_half(seismic, velocity, trace_weights=None, generator=None):
    """Mirrors a random half (each sample with probability 1/2, from torch's RNG) of a batch; returns
    (seismic, velocity, trace_weights) with the batch order kept."""
    flip = torch.rand(seismic.shape[0], generator=generator) < 0.5
    flip = flip.to(seismic.device)

    def pick(original, mirrored):
        mask = flip.view(-1, *([1] * (original.dim() - 1)))
        return torch.where(mask, mirrored, original)
    seismic_out = pick(seismic, mirror_seismic(seismic))
    velocity_out = pick(velocity, mirror_velocity(velocity))
    weights_out = None if trace_weights is None else pick(trace_weights, mirror_seismic(trace_weights))
    return seismic_out, velocity_out, weights_out
