/**
 * `npx tsx fuzz/addToCorpus.ts <target> <input file> "<what it found, what fixed it>"`
 *
 * Copies an input into the regression corpus as fuzz/corpus/<target>/<sha1>.<ext> with a JSON sidecar
 * (the note, and the finding's sidecar when the input came from fuzz/findings). `npm test` replays every
 * corpus input through the property (fuzz/corpus.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { appRoot } from '../main/core/util/paths.ts';
import { TARGETS, TARGET_NAMES, type TargetName } from './targets/index.ts';

const [targetName, inputFile, note] = process.argv.slice(2);
if (!TARGET_NAMES.includes(targetName as TargetName) || !inputFile || !note) {
  process.stderr.write(`usage: npx tsx fuzz/addToCorpus.ts <${TARGET_NAMES.join('|')}> <input file> "<what it found, what fixed it>"\n`);
  process.exit(2);
}
const target = TARGETS[targetName as TargetName];
const bytes = fs.readFileSync(inputFile);
const sha1 = createHash('sha1').update(bytes).digest('hex');
const dir = path.join(appRoot(), 'fuzz', 'corpus', target.name);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, `${sha1}.${target.ext}`), bytes);
const findingSidecar = inputFile.replace(/\.[^./]+$/, '.json');
const finding = findingSidecar !== inputFile && fs.existsSync(findingSidecar) ? JSON.parse(fs.readFileSync(findingSidecar, 'utf8')) : undefined;
fs.writeFileSync(path.join(dir, `${sha1}.json`), `${JSON.stringify({ note, bytes: bytes.length, ...(finding ? { finding } : {}) }, null, 2)}\n`);
process.stdout.write(`${path.relative(appRoot(), path.join(dir, `${sha1}.${target.ext}`))}\n`);
