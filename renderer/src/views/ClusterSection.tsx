import { useEffect, useState } from 'react';
import { Box, Button, Paper, Stack, TextField, Typography } from '@mui/material';
import { clusterParameters, clusterSettingsSchema, metaOf, type ClusterSettings } from '../../../main/core/contract/parameters.ts';
import { useApiAction, useApiQuery } from '../api/hooks.ts';
import { useNotify } from '../app/notices.tsx';
import { ErrorAlert } from '../components/common.tsx';

type ClusterField = keyof ClusterSettings;
type ClusterForm = Record<ClusterField, string>;

const fields = Object.keys(clusterParameters) as ClusterField[];
const numberFields = new Set<ClusterField>(['cpusPerTask', 'gpus', 'pollSeconds']);
const wideFields = new Set<ClusterField>(['studioCommand', 'trainerCommand', 'commandPrefix', 'sharedFolder']);

const toForm = (s: ClusterSettings): ClusterForm => Object.fromEntries(fields.map((f) => [f, String(s[f])])) as ClusterForm;
const fromForm = (form: ClusterForm): Record<ClusterField, string | number> =>
  Object.fromEntries(fields.map((f) => [f, numberFields.has(f) ? (form[f].trim() === '' ? NaN : Number(form[f])) : form[f].trim()])) as Record<ClusterField, string | number>;

/** Settings → Cluster: where "Run on: Slurm cluster" sends work; the fields and their meaning come from the contract. */
export function ClusterSection() {
  const settings = useApiQuery('settings.get', {}, { refreshOnProjectChange: false });
  const update = useApiAction('settings.update');
  const notify = useNotify();
  const [form, setForm] = useState<ClusterForm | null>(null);

  useEffect(() => {
    if (settings.data) setForm(toForm(settings.data.cluster));
  }, [settings.data]);

  if (!form || !settings.data) return null;
  const parsed = clusterSettingsSchema.safeParse(fromForm(form));
  const errorOf = (field: ClusterField): string | undefined => parsed.error?.issues.find((i) => i.path[0] === field)?.message;
  const dirty = JSON.stringify(toForm(settings.data.cluster)) !== JSON.stringify(form);

  const save = async () => {
    if (!parsed.success) return;
    try {
      const saved = await update.run({ cluster: parsed.data });
      setForm(toForm(saved.cluster));
      settings.refresh();
      notify('success', 'Cluster settings saved.');
    } catch {
      // shown below
    }
  };

  return (
    <Paper
      variant="outlined"
      sx={{ p: 3 }}
      component="form"
      data-testid="cluster-section"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <Typography variant="subtitle1" sx={{ fontWeight: 600 }}>
        Slurm cluster
      </Typography>
      <Typography variant="body2" color="text.secondary" gutterBottom>
        Where “Run on: Slurm cluster” sends synthesis, generation and training. Paths are the cluster's.
      </Typography>
      <ErrorAlert error={update.error} testId="cluster-settings-error" />
      <Box sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, mt: 2 }}>
        {fields.map((field) => {
          const meta = metaOf(clusterParameters[field]);
          return (
            <TextField
              key={field}
              label={meta.unit && !meta.title.toLowerCase().includes(meta.unit.toLowerCase()) ? `${meta.title} (${meta.unit})` : meta.title}
              value={form[field]}
              type={numberFields.has(field) ? 'number' : 'text'}
              onChange={(e) => setForm({ ...form, [field]: e.target.value })}
              error={Boolean(errorOf(field))}
              helperText={errorOf(field) ?? meta.description}
              sx={{ width: wideFields.has(field) ? '100%' : 210 }}
              slotProps={{ htmlInput: { 'data-testid': `cluster-${field}`, spellCheck: false } }}
            />
          );
        })}
      </Box>
      <Stack direction="row" spacing={1} sx={{ mt: 2 }}>
        <Button type="submit" variant="contained" disabled={!parsed.success || !dirty || update.busy} data-testid="cluster-save">
          Save
        </Button>
        <Button disabled={!dirty} onClick={() => setForm(toForm(settings.data!.cluster))} data-testid="cluster-revert">
          Revert
        </Button>
      </Stack>
    </Paper>
  );
}
