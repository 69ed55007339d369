"""What differs between the three trainable networks: how they are built from a config, their
loss on a batch, their previews and their held-out metrics. The training loop (train.py), export
and evaluation share these."""
import hashlib
import os
import shutil

import numpy as np
import torch
import torch.nn.functional as F

from .augment import mirror_half
from .data import DataError, Normalization, Preprocessor, resize_area
from .inversionnet import INVERSIONNET_DEFAULTS, InversionNet
from .metrics import MetricAccumulator
from .runtime import atomic_npy_save
from .stage1 import STAGE1_DEFAULTS, PatchDiscriminator, Stage1Model
from .stage2 import STAGE2_DEFAULTS, NoiseSchedule, UNet

KINDS = ('stage1', 'stage2', 'inversionnet')

# Fixed timesteps and noise seed of the stage-2 held-out metrics, so numbers are comparable across runs.
# cfg['train']['refit'] of a stage-1 run that trains only the velocity decoder (train.py --refit-velocity-decoder).
REFIT_VELOCITY_DECODER = 'velocity_decoder'

STAGE2_EVAL_TIMESTEPS = (50, 250, 500, 750, 950)
STAGE2_RECON_TIMESTEP = 100
EVAL_NOISE_SEED = 1234


def weights_fingerprint(module):
    """sha256 over parameter and buffer bytes in key order: identifies a stage-1 latent space."""
    h = hashlib.sha256()
    for key, value in sorted(module.state_dict().items()):
        h.update(key.encode('utf-8'))
        h.update(value.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def masked_l1(pred, target, weights):
    """Mean |pred - target| weighted by `weights` (broadcast to the target): sum(w |e|) / sum(w), so
    padded traces (weight 0) add nothing; F.l1_loss when weights is None."""
    if weights is None:
        return F.l1_loss(pred, target)
    w = weights.expand_as(target)
    return (w * (pred - target).abs()).sum() / w.sum().clamp_min(1e-12)


def _middle_shot(seismic):
    """[sources, H, W] -> the middle source's gather [H, W] (previews stay small)."""
    return seismic[seismic.shape[0] // 2]


class Task:
    kind = None

    def __init__(self, cfg, device):
        self.cfg = cfg
        self.device = device
        self.normalization = Normalization.from_dict(cfg['normalization'])
        self.pre = Preprocessor(self.normalization, cfg['preprocess']['seismic']['size'],
                                cfg['preprocess']['velocity']['size'])

    # --- data on the device -------------------------------------------------------------
    def seismic(self, dataset, indices):
        """Network-ready seismic; a prepared set (prepared.py) already holds it."""
        if getattr(dataset, 'prepared', False):
            return torch.from_numpy(dataset.seismic(indices)).to(self.device)
        return self.pre.seismic(dataset.seismic(indices), self.device)

    def trace_weights(self, dataset, indices):
        """[B, sources, 1, W] weights of the network's seismic columns: the recorded fraction of the
        stored traces each averages (1 recorded, 0 padding, as the seismic is area-resized); None
        when the dataset records every trace."""
        trace_mask = getattr(dataset, 'trace_mask', None)
        mask = trace_mask(indices) if trace_mask else None
        if mask is None:
            return None
        w = torch.from_numpy(mask).to(self.device)[:, :, None, :]
        size = self.pre.seismic_size
        return resize_area(w, (1, size[1])) if size and size[1] != w.shape[-1] else w

    def velocity(self, dataset, indices):
        if getattr(dataset, 'prepared', False):
            return torch.from_numpy(dataset.velocity(indices)).to(self.device)
        return self.pre.velocity(dataset.velocity(indices), self.device)

    def training_batch(self, dataset, indices, weights=False):
        """(seismic, velocity, trace weights or None) of a training batch; with the run's mirror
        augmentation (augment.py) a random half of it mirrored."""
        seismic, velocity = self.seismic(dataset, indices), self.velocity(dataset, indices)
        trace_weights = self.trace_weights(dataset, indices) if weights else None
        if self.cfg['train'].get('mirror'):
            seismic, velocity, trace_weights = mirror_half(seismic, velocity, trace_weights)
        return seismic, velocity, trace_weights

    def modules(self):
        """name -> nn.Module whose state goes into checkpoints."""
        raise NotImplementedError

    def trainable(self):
        return [p for m in self.modules().values() for p in m.parameters() if p.requires_grad]

    def fixed_entries(self):
        """{module name: state keys} that this run keeps as they are (not trained, not averaged)."""
        return {}

    def train(self, mode=True):
        for m in self.modules().values():
            m.train(mode)

    def state_dict(self):
        return {name: m.state_dict() for name, m in self.modules().items()}

    def load_state_dict(self, state):
        for name, m in self.modules().items():
            m.load_state_dict(state[name])

    def warm_start(self, state, log):
        """Loads another run's weights as the start of a new run."""
        self.load_state_dict(state)

    def prepare(self, train_set, train_idx, log, fresh=True):
        """One-off work before the first step (stage 2 encodes its latents here; a fresh stage 1
        sets its decoders' output biases from the data)."""

    def extra_optimizers(self):
        """name -> optimiser the task steps itself (checkpointed beside the main one)."""
        return {}

    def after_step(self, step):
        """Work after the main optimiser step (stage 1's discriminator update); returns extra loss terms."""
        return {}

    def extra_state(self):
        return {}

    def parameter_count(self):
        return sum(p.numel() for m in self.modules().values() for p in m.parameters())

    def _save_previews(self, directory, arrays):
        os.makedirs(directory, exist_ok=True)
        files = {}
        for name, array in arrays.items():
            path = os.path.join(directory, name + '.npy')
            atomic_npy_save(array.detach().cpu().numpy().astype(np.float32), path)
            files[name] = path
        return files


def prune_previews(root, keep):
    if not os.path.isdir(root):
        return
    steps = sorted(d for d in os.listdir(root) if d.startswith('step_'))
    for d in steps[:-keep] if keep > 0 else []:
        shutil.rmtree(os.path.join(root, d), ignore_errors=True)


class Stage1Task(Task):
    kind = 'stage1'

    def __init__(self, cfg, device):
        super().__init__(cfg, device)
        m = cfg['model']
        self.model = Stage1Model(m).to(device)
        # Optional hinge-loss PatchGAN on the decoded velocity (off unless adversarial_weight > 0).
        self.adversarial_weight = float(m.get('adversarial_weight', 0.0))
        self.discriminator = None
        self.disc_optimizer = None
        self._disc_batch = None
        if self.adversarial_weight > 0:
            self.discriminator = PatchDiscriminator(1, m.get('discriminator_channels', 32)).to(device)
            self.disc_optimizer = torch.optim.AdamW(self.discriminator.parameters(), lr=cfg['train']['lr'],
                                                    betas=(0.5, 0.9), weight_decay=0.0)
        # A velocity-decoder refit trains that decoder alone on the latents of a trained encoder and
        # quantiser (the seismic decoder kept too), so stage 2's latent space stays as it is.
        self.refit = cfg['train'].get('refit') == REFIT_VELOCITY_DECODER
        self._fresh_velocity_decoder = False

    def modules(self):
        mods = {'model': self.model}
        if self.discriminator is not None:
            mods['discriminator'] = self.discriminator
        return mods

    def trainable(self):
        params = self.model.decoder_velocity.parameters() if self.refit else self.model.parameters()
        return [p for p in params if p.requires_grad]

    def fixed_entries(self):
        if not self.refit:
            return {}
        return {'model': [k for k in self.model.state_dict() if not k.startswith('decoder_velocity.')]}

    def train(self, mode=True):
        super().train(mode)
        if self.refit:
            self.model.train(False)
            self.model.decoder_velocity.train(mode)

    def warm_start(self, state, log):
        if not self.refit:
            return super().warm_start(state, log)
        own = self.model.decoder_velocity.state_dict()
        prefix = 'decoder_velocity.'
        theirs = {k[len(prefix):]: v for k, v in state['model'].items() if k.startswith(prefix)}
        same = theirs.keys() == own.keys() and all(theirs[k].shape == v.shape for k, v in own.items())
        kept = {k: v for k, v in state['model'].items() if same or not k.startswith(prefix)}
        missing, unexpected = self.model.load_state_dict(kept, strict=False)
        if unexpected or any(not k.startswith(prefix) for k in missing):
            raise RuntimeError(f'missing {sorted(missing)}, unexpected {sorted(unexpected)}')
        self._fresh_velocity_decoder = not same
        log('velocity-decoder refit: encoder, quantiser and seismic decoder fixed; the velocity decoder '
            + ('continues from the starting weights' if same else 'starts afresh (another width)'))

    def extra_optimizers(self):
        return {'discriminator': self.disc_optimizer} if self.disc_optimizer is not None else {}

    def prepare(self, train_set, train_idx, log, fresh=True):
        if not (fresh or self._fresh_velocity_decoder) or not self.cfg['model'].get('output_bias'):
            return
        # Evenly spaced training samples (no RNG): per-pixel median seismic, mean velocity.
        pick = np.asarray(train_idx)[np.linspace(0, len(train_idx) - 1, min(len(train_idx), 512)).astype(int)]
        seismic = torch.cat([self.seismic(train_set, pick[i:i + 64]) for i in range(0, len(pick), 64)])
        velocity = torch.cat([self.velocity(train_set, pick[i:i + 64]) for i in range(0, len(pick), 64)])
        if fresh:
            self.model.decoder_seismic.init_output_bias(seismic.median(dim=0).values)
        self.model.decoder_velocity.init_output_bias(velocity.mean(dim=0))
        log(f'stage 1 output biases set from {len(pick)} training samples '
            f'({"median seismic, " if fresh else ""}mean velocity)')

    def _adversarial_on(self, step):
        return self.discriminator is not None and step >= self.cfg['model'].get('adversarial_start', 0)

    def loss(self, train_set, indices, step=0):
        seismic, velocity, weights = self.training_batch(train_set, indices, weights=True)
        if self.refit:
            with torch.no_grad():
                z_q = self.model.quantizer.lookup(self.model.quantizer.indices(self.model.encoder(seismic)))
            l_vel = F.l1_loss(self.model.decoder_velocity(z_q), velocity)
            return l_vel, {'loss_velocity_l1': float(l_vel)}
        seis_hat, vel_hat, vq_loss, idx = self.model(seismic)
        l_seis = masked_l1(seis_hat, seismic, weights)
        l_vel = F.l1_loss(vel_hat, velocity)
        m = self.cfg['model']
        total = m['seismic_weight'] * l_seis + m['velocity_weight'] * l_vel + vq_loss
        physical_weight = m.get('seismic_physical_weight', 0.0)
        if physical_weight:
            # ||s_hat - s|| / ||s|| per sample in amplitude units; the clamp keeps exp() of an early,
            # wild decoder output finite.
            raw_hat = self.normalization.seismic_inverse(seis_hat.clamp(-1.5, 1.5))
            raw = self.normalization.seismic_inverse(seismic)
            if weights is not None:
                raw_hat, raw = raw_hat * weights, raw * weights
            l_phys = ((raw_hat - raw).flatten(1).norm(dim=1) / raw.flatten(1).norm(dim=1).clamp_min(1e-6)).mean()
            total = total + physical_weight * l_phys
        counts = torch.bincount(idx.flatten(), minlength=m['codebook_size']).float()
        p = counts / counts.sum()
        perplexity = torch.exp(-(p[p > 0] * p[p > 0].log()).sum())
        terms = {'loss_seismic_l1': float(l_seis), 'loss_velocity_l1': float(l_vel),
                 'loss_vq': float(vq_loss), 'codebook_perplexity': float(perplexity)}
        if physical_weight:
            terms['loss_seismic_relative_l2_amplitude'] = float(l_phys)
        if self._adversarial_on(step):
            # Generator hinge term -mean D(v_hat); the critic is updated in after_step, once the
            # decoder step no longer needs the critic's current weights for its gradient.
            g_loss = -self.discriminator(vel_hat).mean()
            total = total + self.adversarial_weight * g_loss
            terms['loss_adversarial'] = float(g_loss)
            self._disc_batch = (velocity, vel_hat.detach())
        return total, terms

    def after_step(self, step):
        if self._disc_batch is None:
            return {}
        real, fake = self._disc_batch
        self._disc_batch = None
        # Hinge loss: mean relu(1 - D(real)) + mean relu(1 + D(fake)).
        d_loss = F.relu(1.0 - self.discriminator(real)).mean() + F.relu(1.0 + self.discriminator(fake)).mean()
        self.disc_optimizer.zero_grad(set_to_none=True)
        d_loss.backward()
        self.disc_optimizer.step()
        return {'loss_discriminator': float(d_loss)}

    @torch.no_grad()
    def reconstruct(self, seismic):
        z = self.model.encoder(seismic)
        z_q = self.model.quantizer.lookup(self.model.quantizer.indices(z))
        return self.model.decoder_seismic(z_q), self.model.decoder_velocity(z_q)

    @torch.no_grad()
    def preview(self, val_set, val_idx, directory):
        idx = val_idx[:1]
        seismic = self.seismic(val_set, idx)
        velocity = self.velocity(val_set, idx)
        seis_hat, vel_hat = self.reconstruct(seismic)
        s, sh = _middle_shot(seismic[0]), _middle_shot(seis_hat[0])
        v, vh = velocity[0, 0], vel_hat[0, 0]
        return self._save_previews(directory, {
            'seismic_target': s, 'seismic_reconstruction': sh, 'seismic_difference': sh - s,
            'velocity_target': v, 'velocity_reconstruction': vh, 'velocity_difference': vh - v})

    @torch.no_grad()
    def evaluate(self, val_set, val_idx, batch_size, on_velocity=None):
        acc = MetricAccumulator(on_velocity)
        for start in range(0, len(val_idx), batch_size):
            idx = val_idx[start:start + batch_size]
            seismic = self.seismic(val_set, idx)
            seis_hat, vel_hat = self.reconstruct(seismic)
            acc.add_velocity(vel_hat, self.velocity(val_set, idx))
            raw_hat, raw = self.normalization.seismic_inverse(seis_hat), self.normalization.seismic_inverse(seismic)
            weights = self.trace_weights(val_set, idx)
            if weights is not None:
                # Padded traces count in neither norm of the relative L2.
                seis_hat, seismic, raw_hat, raw = (x * weights for x in (seis_hat, seismic, raw_hat, raw))
            acc.add_relative_l2('seismic_relative_l2', seis_hat, seismic)
            acc.add_relative_l2('seismic_relative_l2_amplitude', raw_hat, raw)
        return acc.result()


class InversionNetTask(Task):
    kind = 'inversionnet'

    def __init__(self, cfg, device):
        super().__init__(cfg, device)
        # channels_last: about 2x faster convolutions on CPU (TRAINING-FACTS.md); same results.
        self.model = InversionNet(cfg['model']).to(device, memory_format=torch.channels_last)

    def modules(self):
        return {'model': self.model}

    def seismic(self, dataset, indices):
        return super().seismic(dataset, indices).contiguous(memory_format=torch.channels_last)

    def loss(self, train_set, indices, step=0):
        seismic, velocity, _ = self.training_batch(train_set, indices)
        velocity_hat = self.model(seismic.contiguous(memory_format=torch.channels_last))
        l1 = F.l1_loss(velocity_hat, velocity)
        return l1, {'loss_velocity_l1': float(l1)}

    @torch.no_grad()
    def preview(self, val_set, val_idx, directory):
        idx = val_idx[:1]
        v = self.velocity(val_set, idx)[0, 0]
        vh = self.model(self.seismic(val_set, idx))[0, 0]
        return self._save_previews(directory, {
            'velocity_target': v, 'velocity_prediction': vh, 'velocity_difference': vh - v})

    @torch.no_grad()
    def evaluate(self, val_set, val_idx, batch_size, on_velocity=None):
        acc = MetricAccumulator(on_velocity)
        for start in range(0, len(val_idx), batch_size):
            idx = val_idx[start:start + batch_size]
            acc.add_velocity(self.model(self.seismic(val_set, idx)), self.velocity(val_set, idx))
        return acc.result()


class Stage2Task(Task):
    """Trains the denoiser on continuous stage-1 latents x_0 = latent_scale * encoder(seismic);
    the stage-1 weights ride along in the checkpoint (frozen) for previews, metrics and pairing."""
    kind = 'stage2'

    def __init__(self, cfg, device):
        super().__init__(cfg, device)
        s1 = cfg['stage1']
        self.stage1 = Stage1Model(s1['model']).to(device)
        self.stage1.load_state_dict(s1['state_dict'])
        self.stage1.eval()
        for p in self.stage1.parameters():
            p.requires_grad_(False)
        m = cfg['model']
        self.latent_channels = s1['model']['codebook_dim']
        self.latent_size = list(s1['model']['latent_size'])
        self.unet = UNet(m, self.latent_channels, self.latent_size).to(device)
        self.schedule = NoiseSchedule(m['beta_schedule'], m['beta_start'], m['beta_end'], m['num_train_timesteps'])
        self.latent_scale = cfg.get('latent_scale')
        self.latent_row = None
        self.latent_table = None

    def modules(self):
        return {'unet': self.unet}

    def train(self, mode=True):
        self.unet.train(mode)
        self.stage1.eval()

    @torch.no_grad()
    def encode(self, dataset, indices, batch_size=32):
        out = []
        for start in range(0, len(indices), batch_size):
            out.append(self.stage1.encoder(self.seismic(dataset, indices[start:start + batch_size])))
        return torch.cat(out)

    def prepare(self, train_set, train_idx, log, fresh=True):
        log(f'encoding {len(train_idx)} training samples with the stage-1 encoder')
        latents = self.encode(train_set, train_idx)
        if self.latent_scale is None:
            # x_0 = scale * z with unit standard deviation over the training latents (latent-diffusion practice).
            self.latent_scale = float(1.0 / latents.std().clamp_min(1e-8))
            self.cfg['latent_scale'] = self.latent_scale
        self.latent_row = {int(i): k for k, i in enumerate(train_idx)}  # dataset index -> row of latent_table
        self.latent_table = latents * self.latent_scale

    def extra_state(self):
        return {'latent_scale': self.latent_scale}

    def loss(self, train_set, indices, step=0):
        x0 = self.latent_table[[self.latent_row[int(i)] for i in indices]]
        t = torch.randint(0, self.schedule.T, (x0.shape[0],), device=self.device)
        eps = torch.randn_like(x0)
        eps_hat = self.unet(self.schedule.add_noise(x0, eps, t), t.float())
        mse = F.mse_loss(eps_hat, eps)
        return mse, {'loss_eps_mse': float(mse)}

    @torch.no_grad()
    def decode(self, x0):
        z = x0 / self.latent_scale
        z_q = self.stage1.quantizer.lookup(self.stage1.quantizer.indices(z))
        return self.stage1.decoder_seismic(z_q), self.stage1.decoder_velocity(z_q)

    @torch.no_grad()
    def denoise_one_step(self, x0, t_value, generator):
        t = torch.full((x0.shape[0],), t_value, dtype=torch.long, device=self.device)
        eps = torch.randn(x0.shape, generator=generator).to(self.device)
        xt = self.schedule.add_noise(x0, eps, t)
        eps_hat = self.unet(xt, t.float())
        a = float(self.schedule.alphas_cumprod[t_value])
        return (xt - (1 - a) ** 0.5 * eps_hat) / a ** 0.5, eps, eps_hat

    @torch.no_grad()
    def preview(self, val_set, val_idx, directory):
        gen = torch.Generator().manual_seed(EVAL_NOISE_SEED)
        x = self.schedule.ddim_sample(self.unet, [1, self.latent_channels] + self.latent_size, steps=50,
                                      generator=gen, device=self.device)
        seis_gen, vel_gen = self.decode(x)
        idx = val_idx[:1]
        x0 = self.encode(val_set, idx) * self.latent_scale
        x0_hat, _, _ = self.denoise_one_step(x0, STAGE2_RECON_TIMESTEP, gen)
        _, vel_hat = self.decode(x0_hat)
        v = self.velocity(val_set, idx)[0, 0]
        return self._save_previews(directory, {
            'sample_seismic': _middle_shot(seis_gen[0]), 'sample_velocity': vel_gen[0, 0],
            'velocity_target': v, 'velocity_denoised': vel_hat[0, 0],
            'velocity_difference': vel_hat[0, 0] - v})

    @torch.no_grad()
    def evaluate(self, val_set, val_idx, batch_size, on_velocity=None):
        """eps-prediction MSE at fixed timesteps, and OpenFWI metrics of the velocity/seismic decoded
        from a one-step x_0 estimate after noising held-out latents to t = 100 (the velocity pairs
        given to on_velocity)."""
        gen = torch.Generator().manual_seed(EVAL_NOISE_SEED)
        acc = MetricAccumulator(on_velocity)
        mse_by_t = {t: 0.0 for t in STAGE2_EVAL_TIMESTEPS}
        n = 0
        for start in range(0, len(val_idx), batch_size):
            idx = val_idx[start:start + batch_size]
            seismic = self.seismic(val_set, idx)
            x0 = self.stage1.encoder(seismic) * self.latent_scale
            for t in STAGE2_EVAL_TIMESTEPS:
                _, eps, eps_hat = self.denoise_one_step(x0, t, gen)
                mse_by_t[t] += float(((eps_hat - eps) ** 2).mean(dim=(1, 2, 3)).sum())
            x0_hat, _, _ = self.denoise_one_step(x0, STAGE2_RECON_TIMESTEP, gen)
            seis_hat, vel_hat = self.decode(x0_hat)
            acc.add_velocity(vel_hat, self.velocity(val_set, idx))
            weights = self.trace_weights(val_set, idx)
            if weights is not None:
                seis_hat, seismic = seis_hat * weights, seismic * weights
            acc.add_relative_l2('seismic_relative_l2', seis_hat, seismic)
            n += len(idx)
        out = acc.result()
        out['denoise_timestep'] = STAGE2_RECON_TIMESTEP
        out['eps_mse_by_timestep'] = {str(t): v / n for t, v in mse_by_t.items()}
        out['eps_mse'] = sum(mse_by_t.values()) / (n * len(STAGE2_EVAL_TIMESTEPS))
        return out


def check_geometry(cfg, dataset, name):
    """The dataset's sample shape must be what the model was built for (sources; InversionNet also
    time and receivers, since it reads the native grid)."""
    sources = cfg['model']['sources'] if 'sources' in cfg['model'] else cfg['stage1']['model']['sources']
    where = f'{name} {dataset.description["source"]}'
    if dataset.seismic_shape[0] != sources:
        raise DataError(f'{where}: {dataset.seismic_shape[0]} sources per sample, the model expects {sources}')
    if cfg['kind'] == 'inversionnet':
        native = cfg['model'].get('native_input_size', cfg['model']['input_size'])
        if list(dataset.seismic_shape[1:]) != list(native):
            raise DataError(f'{where}: seismic {list(dataset.seismic_shape)} per sample, InversionNet was built '
                            f'for {[sources] + list(native)}')


TASKS = {'stage1': Stage1Task, 'stage2': Stage2Task, 'inversionnet': InversionNetTask}
MODEL_DEFAULTS = {'stage1': STAGE1_DEFAULTS, 'stage2': STAGE2_DEFAULTS, 'inversionnet': INVERSIONNET_DEFAULTS}


def make_task(cfg, device):
    return TASKS[cfg['kind']](cfg, device)
