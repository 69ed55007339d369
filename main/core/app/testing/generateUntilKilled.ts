/**
 * For the test of an interrupted generation: a separate process that opens a project for writing,
 * starts a generation of 3 pairs with the shipped default models (batches of 1, no FD check), and
 * kills itself with SIGKILL, as a crash or `kill -9` would, the moment the first batch is committed:
 * the catalogue then holds one dataset part with its sample rows, and the job is still 'running'.
 *
 * Usage: node --import tsx generateUntilKilled.ts PROJECT_DIR DATA_DIR
 */
import { Studio } from '../studio.ts';
import { studioJobKinds } from '../jobKinds.ts';
import { dispatch } from '../../api/handlers.ts';

const [folder, dataDir] = process.argv.slice(2);
const studio = new Studio({ dataDir, shell: 'cli', jobKinds: studioJobKinds(), processLabel: 'wavediff generate (killed by the test)' });
await studio.openProject(folder);
// Announced synchronously right after the batch's transaction commits.
studio.onEvent((event, payload) => {
  if (event === 'catalogue.changed' && (payload as { tables: string[] }).tables.includes('generation_samples')) process.kill(process.pid, 'SIGKILL');
});
const job = (await dispatch(studio, 'generate.start', { count: 3, batchSize: 1, sampler: { kind: 'ab3', steps: 2 }, seed: 5, physicsCheck: false })) as { id: number };
const final = await studio.jobs.waitFor(job.id);
process.stderr.write(`The generation ended as ${final.status} (${final.error ?? 'no error'}) before its first batch was committed.\n`);
process.exit(3);
