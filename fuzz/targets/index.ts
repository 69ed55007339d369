import { httpTarget } from './http.ts';
import { npyTarget } from './npy.ts';
import { openfwiTarget } from './openfwi.ts';
import { segyTarget } from './segy.ts';
import type { Target, TargetName } from './target.ts';
import { wsTarget } from './ws.ts';
import { zipTarget } from './zip.ts';

export { TARGET_NAMES, type Target, type TargetName, type RunContext, type Seed } from './target.ts';

export const TARGETS: Record<TargetName, Target> = {
  segy: segyTarget,
  npy: npyTarget,
  openfwi: openfwiTarget,
  zip: zipTarget,
  http: httpTarget,
  ws: wsTarget,
};
