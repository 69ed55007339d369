import type { JobKind } from '../jobs/jobKind.ts';
import type { StudioServices } from './studio.ts';
import { importSegyJob } from '../datasets/importSegyJob.ts';
import { importOpenfwiJob } from '../datasets/importOpenfwiJob.ts';
import { importChunkedSetJob } from '../datasets/importChunkedSetJob.ts';
import { exportOpenfwiJob } from '../datasets/exportOpenfwiJob.ts';
import { exportSegyJob } from '../datasets/exportSegyJob.ts';
import { synthesizeJob } from '../datasets/synthesisJob.ts';
import { forwardJob } from '../datasets/forwardJob.ts';
import { folderSynthesisJob } from '../physics/folderSynthesisJob.ts';
import { deviationFilesJob, forwardFileJob } from '../physics/fileJobs.ts';
import { invertFileJob } from '../ml/invertFileJob.ts';
import { probeJob } from '../generation/probeJob.ts';
import { trainingJob } from '../training/trainingJob.ts';
import { generationJob } from '../generation/generationJob.ts';
import { exportGeneratedJob } from '../generation/exportJob.ts';
import { studyJob } from '../studies/studyJob.ts';
import { clusterJob } from '../cluster/clusterJob.ts';

/** Every job kind the studio runs. Shells pass this list to the Studio. */
export function studioJobKinds(): JobKind<any, any, any, StudioServices>[] {
  return [importSegyJob, importOpenfwiJob, importChunkedSetJob, exportOpenfwiJob, exportSegyJob, synthesizeJob, forwardJob, trainingJob, generationJob, exportGeneratedJob, folderSynthesisJob, forwardFileJob, deviationFilesJob, invertFileJob, probeJob, studyJob, clusterJob];
}
