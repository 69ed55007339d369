"""The trainer's options take their defaults and ranges from training_params.schema.json, the
JSON schema generated from the studio's contract (main/core/contract/parameters.test.ts checks
that the committed file matches the contract)."""
import contextlib
import io
import unittest

from wavediff_models import params
from wavediff_models import train as train_mod


class TestTrainingParams(unittest.TestCase):
    def test_train_defaults_are_the_schema_defaults(self):
        args = train_mod.parse_args(['inversionnet', '--data', 'd', '--out', 'o'])
        for name, option in params.OPTIONS.items():
            dest = option[2:].replace('-', '_')
            self.assertEqual(getattr(args, dest), params.TRAINING_PARAMS[name].get('default'), name)

    def test_every_schema_parameter_is_an_option(self):
        self.assertEqual(sorted(params.OPTIONS), sorted(params.TRAINING_PARAMS))

    def test_train_refuses_values_outside_the_schema_range(self):
        for name, option in params.OPTIONS.items():
            spec = params.TRAINING_PARAMS[name]
            for value in (spec['minimum'] - 1, spec['maximum'] + 1):
                with self.subTest(option=option, value=value), contextlib.redirect_stderr(io.StringIO()) as err:
                    with self.assertRaises(SystemExit):
                        train_mod.parse_args(['inversionnet', '--data', 'd', '--out', 'o', option, str(value)])
                    self.assertIn('must be between', err.getvalue())
            ok = train_mod.parse_args(['inversionnet', '--data', 'd', '--out', 'o', option, str(spec['maximum'])])
            self.assertEqual(getattr(ok, option[2:].replace('-', '_')), spec['maximum'])


if __name__ == '__main__':
    unittest.main()
