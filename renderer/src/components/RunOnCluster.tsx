import { Stack, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { boundsOf, clusterShardsParameter, defaultOf, numberFromText } from '../../../main/core/contract/parameters.ts';

export interface RunOnForm {
  onCluster: boolean;
  shards: string;
  /** Result folder on the cluster. */
  out: string;
}

export const runOnDefaults: RunOnForm = { onCluster: false, shards: String(defaultOf(clusterShardsParameter)), out: '' };

/** The shards and the cluster folder of a form set to run on Slurm, or the messages to show. */
export function readRunOn(form: RunOnForm): { ok: true; shards: number; out: string } | { ok: false; errors: { shards?: string; out?: string } } {
  const shards = numberFromText(form.shards, clusterShardsParameter, 'Shards', boundsOf(clusterShardsParameter));
  const out = form.out.trim();
  const outError = out === '' || /[\s'"$`\\]/.test(out) ? 'A folder on the cluster (absolute, or under the shared folder of Settings), without spaces or quotes.' : undefined;
  if (typeof shards === 'string' || outError) return { ok: false, errors: { shards: typeof shards === 'string' ? shards : undefined, out: outError } };
  return { ok: true, shards, out };
}

/**
 * "Run on: this machine | Slurm cluster", and for the cluster its shards (an array's; none for a
 * training, which is one job) and result folder (Settings → Slurm cluster says where).
 */
export function RunOnCluster({
  value,
  onChange,
  idPrefix,
  showErrors,
  shardsLabel = 'Shards',
  withShards = true,
  outHelper = 'The merged set lands here; logs in its logs/ folder.',
}: {
  value: RunOnForm;
  onChange: (next: RunOnForm) => void;
  idPrefix: string;
  showErrors: boolean;
  shardsLabel?: string;
  withShards?: boolean;
  outHelper?: string;
}) {
  const read = readRunOn(value);
  const errors = showErrors && !read.ok ? read.errors : {};
  return (
    <Stack spacing={1.5}>
      <Stack direction="row" spacing={1.5} sx={{ alignItems: 'center' }}>
        <Typography variant="body2" color="text.secondary">
          Run on
        </Typography>
        <ToggleButtonGroup exclusive size="small" value={value.onCluster ? 'cluster' : 'local'} onChange={(_, v: string | null) => v && onChange({ ...value, onCluster: v === 'cluster' })} aria-label="Run on">
          <ToggleButton value="local" data-testid={`${idPrefix}-run-local`}>
            This machine
          </ToggleButton>
          <ToggleButton value="cluster" data-testid={`${idPrefix}-run-cluster`}>
            Slurm cluster
          </ToggleButton>
        </ToggleButtonGroup>
      </Stack>
      {value.onCluster && (
        <Stack direction="row" spacing={2}>
          {withShards && (
            <TextField
              label={shardsLabel}
              value={value.shards}
              onChange={(e) => onChange({ ...value, shards: e.target.value })}
              error={Boolean(errors.shards)}
              helperText={errors.shards ?? 'Array tasks; merged when all are done.'}
              sx={{ width: 150 }}
              slotProps={{ htmlInput: { 'data-testid': `${idPrefix}-shards`, inputMode: 'numeric' } }}
            />
          )}
          <TextField
            label="Result folder on the cluster"
            value={value.out}
            onChange={(e) => onChange({ ...value, out: e.target.value })}
            error={Boolean(errors.out)}
            helperText={errors.out ?? outHelper}
            sx={{ flex: 1 }}
            slotProps={{ htmlInput: { 'data-testid': `${idPrefix}-cluster-out`, spellCheck: false } }}
          />
        </Stack>
      )}
    </Stack>
  );
}
