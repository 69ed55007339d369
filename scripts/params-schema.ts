/**
 * Writes native-models/wavediff_models/training_params.schema.json from the contract's training
 * parameters (main/core/contract/parameters.ts): the Python trainer reads its defaults and ranges
 * from it. Run `npm run params-schema` after changing them; main/core/contract/parameters.test.ts
 * fails while the committed file and the contract disagree.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainingParamsJsonSchemaText } from '../main/core/contract/parameters.ts';

const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'native-models', 'wavediff_models', 'training_params.schema.json');
fs.writeFileSync(target, trainingParamsJsonSchemaText());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
