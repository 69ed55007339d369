import type { JobKind } from './jobKind.ts';
import { importSegyJob } from './kinds/importSegy.ts';
import { importOpenfwiJob } from './kinds/importOpenfwi.ts';
import { exportOpenfwiJob } from './kinds/exportOpenfwi.ts';
import { synthesizeJob } from './kinds/synthesize.ts';
import { forwardJob } from './kinds/forward.ts';
import { trainingJob } from '../training/trainingJob.ts';
import { generationJob } from '../generation/generationJob.ts';
import { exportGeneratedJob } from '../generation/exportJob.ts';

/** Every job kind the studio runs. Shells pass this list to the Studio. */
export function studioJobKinds(): JobKind<any, any, any>[] {
  return [importSegyJob, importOpenfwiJob, exportOpenfwiJob, synthesizeJob, forwardJob, trainingJob, generationJob, exportGeneratedJob];
}
