"""Which stage 2 fits which stage 1.

A stage-2 denoiser learns the latent space of a stage 1: its encoder, its quantiser and the seismic
normalisation and preprocessing in front of them. The decoders only read that space, so a stage 1
whose decoders were retrained (a velocity-decoder refit) keeps its stage-2 models; they are re-paired
with it, not retrained.

    /usr/bin/python3 -m wavediff_models.pairing STAGE2 STAGE1

STAGE2: a stage-2 training folder, checkpoint or weights file; STAGE1: a stage-1 one. Prints one JSON
line {"same_latent_space", "stage2", "stage1"} (the two latent-space fingerprints) and exits like cmp:
0 the same latent space, 1 another, 2 trouble (a message on stderr)."""
import argparse
import hashlib
import json
import sys

from . import bundle as bundle_io

LATENT_SPACE_PREFIXES = ('encoder.', 'quantizer.')


class PairingError(Exception):
    pass


def latent_space_fingerprint(state_dict, normalization, preprocess):
    """sha256 over what maps seismic to latents: the encoder's and quantiser's state (keys, shapes,
    bytes, in key order) and the seismic normalisation and preprocessing."""
    h = hashlib.sha256()
    for key, value in sorted(state_dict.items()):
        if not key.startswith(LATENT_SPACE_PREFIXES):
            continue
        tensor = value.detach().cpu().contiguous()
        h.update(key.encode('utf-8'))
        h.update(repr(tuple(tensor.shape)).encode('utf-8'))
        h.update(tensor.numpy().tobytes())
    seismic = {'normalization': normalization['seismic'], 'preprocess': preprocess['seismic']}
    h.update(json.dumps(seismic, sort_keys=True).encode('utf-8'))
    return h.hexdigest()


def stage1_payload(path):
    """What a stage-2 run keeps of its stage 1 (frozen, for encoding, previews, metrics and pairing)."""
    from .stage1 import Stage1Model
    from .tasks import weights_fingerprint
    b = bundle_io.load(path)
    if b['kind'] != 'stage1':
        raise PairingError(f'{path}: holds a {b["kind"]} model; give a stage-1 training folder')
    m = Stage1Model(b['config']['model'])
    m.load_state_dict(bundle_io.averaged_state(b)['model'])
    state = m.state_dict()
    return {'model': b['config']['model'], 'state_dict': state, 'fingerprint': weights_fingerprint(m),
            'latent_space_fingerprint': latent_space_fingerprint(state, b['config']['normalization'],
                                                                 b['config']['preprocess']),
            'normalization': b['config']['normalization'], 'preprocess': b['config']['preprocess'],
            'source': b['path'], 'steps': b.get('meta', {}).get('steps')}


def payload_latent_space(payload):
    """The latent-space fingerprint of a stage-2 run's stage-1 payload (computed for payloads saved
    before it was recorded)."""
    return payload.get('latent_space_fingerprint') or latent_space_fingerprint(
        payload['state_dict'], payload['normalization'], payload['preprocess'])


def repaired(stage2_bundle, stage1_path):
    """The stage-2 bundle re-paired with the stage 1 at stage1_path, which must have the latent space it
    was trained on; PairingError otherwise."""
    if stage2_bundle['kind'] != 'stage2':
        raise PairingError(f'{stage2_bundle.get("path")}: holds a {stage2_bundle["kind"]} model, not stage2')
    payload = stage1_payload(stage1_path)
    trained_on = payload_latent_space(stage2_bundle['config']['stage1'])
    if payload['latent_space_fingerprint'] != trained_on:
        raise PairingError(f'{stage1_path}: another latent space than the one stage 2 was trained on '
                           f'({payload["latent_space_fingerprint"][:12]}, not {trained_on[:12]}); train stage 2 on it')
    return dict(stage2_bundle, config=dict(stage2_bundle['config'], stage1=payload))


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python3 -m wavediff_models.pairing',
                                     description='Does a stage-2 model fit a stage 1 (the same latent space)?')
    parser.add_argument('stage2', help='stage-2 training folder, checkpoint.pt or weights.pt')
    parser.add_argument('stage1', help='stage-1 training folder, checkpoint.pt or weights.pt')
    args = parser.parse_args(argv)
    try:
        s2 = bundle_io.load(args.stage2)
        if s2['kind'] != 'stage2':
            raise PairingError(f'{args.stage2}: holds a {s2["kind"]} model, not stage2')
        trained_on = payload_latent_space(s2['config']['stage1'])
        offered = stage1_payload(args.stage1)['latent_space_fingerprint']
    except (PairingError, bundle_io.BundleError, OSError) as e:
        print(f'pairing: {e}', file=sys.stderr)
        return 2
    print(json.dumps({'same_latent_space': trained_on == offered, 'stage2': trained_on, 'stage1': offered}))
    return 0 if trained_on == offered else 1


if __name__ == '__main__':
    sys.exit(main())
