import type { StudyKindName, StudyParams, StudyStart } from '../contract/parameters.ts';
import type { StudyContext, StudyKind, StudyOutcome } from './studyKind.ts';
import { latentSamplingStudy } from './latentSampling.ts';
import { refinedInversionStudy } from './refinedInversion.ts';
import { compressionStudy } from './compressionStudy.ts';
import { fidelityStudy } from './fidelityStudy.ts';
import { augmentationValueStudy } from './augmentationValue.ts';

/** Every study kind, by name: a kind declared in contract/parameters.ts (studyKindNames) must be here. */
export const studyKinds: { [K in StudyKindName]: StudyKind<K> } = {
  'latent-sampling': latentSamplingStudy,
  'refined-inversion': refinedInversionStudy,
  compression: compressionStudy,
  fidelity: fidelityStudy,
  'augmentation-value': augmentationValueStudy,
};

/** A study to run: its kind's title and computation bound to the parameters it was started with. */
export interface BoundStudy {
  title: string;
  run(ctx: StudyContext): Promise<StudyOutcome>;
}

export function bindStudy(start: StudyStart): BoundStudy {
  // The discriminated union pairs each kind with its own parameters; TypeScript cannot follow it through the lookup.
  const kind = studyKinds[start.kind] as StudyKind<StudyKindName>;
  const params = start.params as StudyParams<StudyKindName>;
  return { title: kind.title(params), run: (ctx) => kind.run(ctx, params) };
}
