"""Writes the JSON pair list of a synthesised split for --data / prepared.py:

    python3 -m wavediff_models.pair_list ROOT SPLIT FOLDER [FOLDER ...] [--name NAME]

reads ROOT/SPLIT/FOLDER/data*.npy (with their model*.npy) in file order and writes ROOT/SPLIT.json
{"name", "families", "pairs": [{"seismic", "velocity"}]} with paths relative to ROOT. A folder is named
after its family, with ".K" for a further block of the family's pairs (flatvel-a, flatvel-a.1, …). A data file
without its model file is skipped (a split still being modelled lists what exists)."""
import argparse
import os
import sys

from .runtime import atomic_json_save


def pair_list(root, split, folders):
    pairs = []
    for folder_name in folders:
        folder = os.path.join(split, folder_name)
        names = sorted(os.listdir(os.path.join(root, folder)), key=lambda n: (len(n), n))
        for name in names:
            if name.startswith('data') and name.endswith('.npy'):
                velocity = os.path.join(folder, 'model' + name[4:])
                if os.path.exists(os.path.join(root, velocity)):
                    pairs.append({'seismic': os.path.join(folder, name), 'velocity': velocity})
    return pairs


def main(argv=None):
    p = argparse.ArgumentParser(prog='python3 -m wavediff_models.pair_list', description=__doc__.split('\n\n')[0])
    p.add_argument('root')
    p.add_argument('split')
    p.add_argument('folders', nargs='+')
    p.add_argument('--name', help='dataset name recorded in the list')
    args = p.parse_args(argv)
    out = os.path.join(args.root, f'{args.split}.json')
    families = list(dict.fromkeys(folder.split('.')[0] for folder in args.folders))
    spec = {'name': args.name or f'OpenFWI-style A families ({args.split})', 'families': families,
            'pairs': pair_list(args.root, args.split, args.folders)}
    atomic_json_save(spec, out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
