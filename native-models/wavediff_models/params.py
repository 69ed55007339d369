"""The trainer's parameters as the studio's contract declares them.

training_params.schema.json is generated from main/core/contract/parameters.ts (npm run
params-schema); the trainer takes its defaults and ranges from it, so the app, the CLI and
`python3 -m wavediff_models.train` agree. Torch-free.
"""
import argparse
import json
import os

SCHEMA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'training_params.schema.json')

# The trainer's options for the contract's property names.
OPTIONS = {'steps': '--steps', 'batchSize': '--batch-size', 'threads': '--threads', 'seed': '--seed'}


def load_schema(path=SCHEMA_FILE):
    with open(path, encoding='utf-8') as f:
        return json.load(f)


TRAINING_PARAMS = load_schema()['properties']


def _bounded_integer(name, spec):
    lo, hi = spec['minimum'], spec['maximum']

    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f'{OPTIONS[name]} {text}: must be a whole number ({lo}-{hi})')
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f'{OPTIONS[name]} {value}: must be between {lo} and {hi}')
        return value
    return parse


def add_training_params(parser, help_suffix=None):
    """Adds --steps, --batch-size, --threads and --seed with the contract's defaults and ranges."""
    for name, option in OPTIONS.items():
        spec = TRAINING_PARAMS[name]
        text = spec['description'] + (f' (default {spec["default"]})' if 'default' in spec else '')
        if help_suffix and name in help_suffix:
            text += help_suffix[name]
        parser.add_argument(option, type=_bounded_integer(name, spec), default=spec.get('default'), help=text)
