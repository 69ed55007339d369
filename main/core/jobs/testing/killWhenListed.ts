/**
 * For tests of a job killed between committing its dataset and finishing: a separate process that
 * opens a project for writing, starts a job through the API, and kills itself with SIGKILL, as a
 * crash or `kill -9` would, the moment the job's dataset becomes listed — before the job is marked
 * done. The catalogue then holds the complete dataset and a job it still calls running.
 *
 * Usage: node --import tsx killWhenListed.ts PROJECT_DIR DATA_DIR METHOD PARAMS_JSON
 */
import { Studio } from '../../app/studio.ts';
import { studioJobKinds } from '../../app/jobKinds.ts';
import { dispatch } from '../../api/handlers.ts';
import type { MethodName } from '../../contract/contract.ts';

const [folder, dataDir, method, params] = process.argv.slice(2);
const studio = new Studio({ dataDir, shell: 'cli', jobKinds: studioJobKinds(), processLabel: 'a job killed once its dataset is listed (by the test)' });
await studio.openProject(folder);
const catalogue = studio.requireProject().catalogue;
const listedBefore = catalogue.listDatasets().length;
// Announced synchronously right after the write that changed the datasets table.
studio.onEvent((event, payload) => {
  if (event === 'catalogue.changed' && (payload as { tables: string[] }).tables.includes('datasets') && catalogue.listDatasets().length > listedBefore) {
    process.kill(process.pid, 'SIGKILL');
  }
});
const job = (await dispatch(studio, method as MethodName, JSON.parse(params) as never)) as { id: number };
const final = await studio.jobs.waitFor(job.id);
process.stderr.write(`The job ended as ${final.status} (${final.error ?? 'no error'}) without its dataset being listed.\n`);
process.exit(3);
