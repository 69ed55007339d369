/**
 * For tests of the project write lock: a separate process that opens a project for writing, as the
 * studio or a wavediff command does, prints one JSON line on stdout once it holds it, and keeps it
 * until its stdin closes (then it closes the project and exits 0) or it is killed.
 *
 * Usage: node --import tsx holdProject.ts PROJECT_DIR LABEL DATA_DIR
 */
import { Studio } from '../studio.ts';
import { studioJobKinds } from '../jobKinds.ts';
import { toWireError } from '../../contract/errors.ts';

const [folder, label, dataDir] = process.argv.slice(2);
const studio = new Studio({ dataDir, shell: 'cli', jobKinds: studioJobKinds(), processLabel: label });
try {
  await studio.openProject(folder);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: toWireError(error) })}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ holding: studio.requireProject().folder, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void studio.shutdown().then(() => process.exit(0));
});
