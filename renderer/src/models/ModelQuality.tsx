import { Alert, Chip, Stack, Tooltip } from '@mui/material';
import { formatQualityValue, type ModelQuality } from '../../../main/core/contract/modelQuality.ts';
import { useApiQuery } from '../api/hooks.ts';

/** Every model's quality against the declared limits (`model.quality`), refreshed when models or generated samples change. */
export function useModelQuality(): { byRef: Map<string, ModelQuality>; error: Error | null } {
  const quality = useApiQuery('model.quality', {}, { refreshOn: ['models', 'generation_samples'] });
  return { byRef: new Map((quality.data ?? []).map((q) => [q.ref, q])), error: quality.error };
}

/** The checks of one model as chips: green when within the limit, red with what failing means otherwise. */
export function QualityChips({ quality }: { quality: ModelQuality | undefined }) {
  if (!quality || quality.checks.length === 0) {
    return (
      <Tooltip title="No measurement against the quality limits yet (held-out metrics on real OpenFWI families, or generated pairs with the physics check).">
        <Chip size="small" variant="outlined" label="not measured" data-testid="model-quality-chip" data-pass="unknown" />
      </Tooltip>
    );
  }
  return (
    <Stack direction="row" sx={{ gap: 0.5, flexWrap: 'wrap' }}>
      {quality.checks.map((c) => (
        <Tooltip key={c.id} title={`${c.label} ${formatQualityValue(c.value)} (limit ${formatQualityValue(c.limit)}) — ${c.verdict}. ${c.basis}.`}>
          <Chip
            size="small"
            color={c.pass ? 'success' : 'error'}
            variant={c.pass ? 'outlined' : 'filled'}
            label={`${c.pass ? '✓' : '✗'} ${c.shortLabel} ${formatQualityValue(c.value)} — ${c.verdict}`}
            data-testid="model-quality-chip"
            data-check={c.id}
            data-pass={String(c.pass)}
            sx={{ height: 'auto', '& .MuiChip-label': { whiteSpace: 'normal', py: 0.25 } }}
          />
        </Tooltip>
      ))}
    </Stack>
  );
}

/**
 * Said before a user generates or exports pairs with a stage-2 model that fails its quality checks: which
 * check, its value against the limit, and what that means for the pairs.
 */
export function ModelQualityNotice({ stage2Ref, testId }: { stage2Ref: string; testId: string }) {
  const { byRef } = useModelQuality();
  const quality = byRef.get(stage2Ref === 'default' ? 'default:stage2' : stage2Ref);
  if (!quality?.warning) return null;
  return (
    <Alert severity="warning" data-testid={testId} data-model-ref={quality.ref}>
      Stage-2 model {quality.ref}: {quality.warning}. Pairs it generates are likely not valid seismic–velocity pairs.
    </Alert>
  );
}

/** The quality warnings of the stage-2 models behind the pairs an export would write: one run's, or every run's. */
export function ExportQualityNotice({ runId }: { runId: number | null }) {
  const runs = useApiQuery('generate.runs', {}, { refreshOn: ['generation_runs'] });
  const refs = [...new Set((runs.data ?? []).filter((r) => runId === null || r.id === runId).map((r) => r.stage2Ref))];
  return (
    <>
      {refs.map((ref) => (
        <ModelQualityNotice key={ref} stage2Ref={ref} testId="gallery-export-quality-warning" />
      ))}
    </>
  );
}
