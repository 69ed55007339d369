/**
 * The shipped default models load and reproduce the metrics their model card states, on the same
 * fixed held-out set and real OpenFWI models (recomputed here: synthesis, FD modelling and ONNX
 * inference are deterministic); the card's pass marks and its Markdown follow from card.json.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { missing } from '../../main/core/util/testing/requirement.ts';
import fs from 'node:fs';
import path from 'node:path';
import { shippedModelsDir, shippedModels } from '../../main/core/ml/modelRegistry.ts';
import { OnnxSessionPool } from '../../main/core/ml/onnxPool.ts';
import { FdWorkerPool } from '../../main/core/physics/pool.ts';
import { evaluateShippedModels } from './modelCard.ts';
import { assessTargets, TARGETS } from './cardTargets.ts';
import { renderModelCard, type ModelCard } from './cardMarkdown.ts';

const cardFile = path.join(shippedModelsDir(), 'card.json');
const markdownFile = path.join(shippedModelsDir(), '..', 'MODEL_CARD.md');
const present = fs.existsSync(cardFile) && shippedModels().length === 3;

const onnx = new OnnxSessionPool({ workers: 1, intraOpThreads: 2 });
const fd = new FdWorkerPool({ size: 2 });
afterAll(async () => {
  await onnx.close();
  await fd.close();
});

const readCard = (): ModelCard => JSON.parse(fs.readFileSync(cardFile, 'utf8')) as ModelCard;

describe.skipIf(missing(`${cardFile} and the three shipped default models (npm run models:train-defaults, then npm run models:card)`, present))('shipped default models', () => {
  it('total no more than 50 MB of files', () => {
    let bytes = 0;
    for (const model of shippedModels()) for (const file of fs.readdirSync(model.folder)) bytes += fs.statSync(path.join(model.folder, file)).size;
    expect(bytes).toBeLessThanOrEqual(50 * 1024 * 1024);
  });

  it('reproduce their model-card metrics on the fixed held-out set and real OpenFWI models', async () => {
    const card = readCard();
    const now = await evaluateShippedModels(onnx, fd);
    const close = (got: number, want: number, what: string): void => {
      expect(Math.abs(got - want), `${what}: ${got} vs the card's ${want}`).toBeLessThanOrEqual(1e-3 * Math.max(1, Math.abs(want)));
    };
    expect(Object.keys(now.realOpenfwi)).toEqual(Object.keys(card.realOpenfwi));
    for (const network of ['inversionnet', 'stage1_inversion'] as const) {
      for (const metric of ['velocity_mae', 'velocity_mae_sem', 'velocity_rmse', 'velocity_ssim'] as const) {
        close(now.heldOut[network][metric], card.heldOut[network][metric], `held-out ${network} ${metric}`);
        for (const family of Object.keys(card.realOpenfwi)) {
          close(now.realOpenfwi[family][network][metric], card.realOpenfwi[family][network][metric], `${family} ${network} ${metric}`);
        }
      }
    }
    close(now.heldOut.seismic_relative_l2, card.heldOut.seismic_relative_l2, 'held-out seismic relative L2');
    for (const family of Object.keys(card.realOpenfwi)) close(now.realOpenfwi[family].seismic_relative_l2, card.realOpenfwi[family].seismic_relative_l2, `${family} seismic relative L2`);
    close(now.heldOut.reconstruction_pde_rel_l2, card.heldOut.reconstruction_pde_rel_l2, 'reconstruction PDE deviation');
  }, 600_000);

  it("marks every target from the card's own figures, and MODEL_CARD.md is what card.json says", () => {
    const card = readCard();
    expect(card.targets.map((t) => t.id)).toEqual(TARGETS.map((t) => t.id));
    expect(card.targets).toEqual(assessTargets(card));
    expect(card.targets.find((t) => t.id === 'generated-over-reconstruction')!.value).toBeCloseTo(card.generation.generated_mean_pde_rel_l2 / card.generation.reconstruction_mean_pde_rel_l2, 12);
    for (const set of [card.heldOut, ...Object.values(card.realOpenfwi)]) expect(set.baselines, 'trivial predictors on every set').toBeDefined();
    expect(fs.readFileSync(markdownFile, 'utf8')).toBe(renderModelCard(card));
  });
});
