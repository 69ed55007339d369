import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Box,
  Button,
  Checkbox,
  FormControl,
  IconButton,
  InputLabel,
  LinearProgress,
  MenuItem,
  Paper,
  Select,
  Stack,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import ArrowUpwardIcon from '@mui/icons-material/ArrowUpward';
import ArrowDownwardIcon from '@mui/icons-material/ArrowDownward';
import FilterAltOffIcon from '@mui/icons-material/FilterAltOff';
import WhatshotIcon from '@mui/icons-material/Whatshot';
import SaveAltIcon from '@mui/icons-material/SaveAlt';
import type { GeneratedSample } from '../../../main/core/contract/contract.ts';
import { useApiQuery } from '../api/hooks.ts';
import { replaceRoute, useNavigation } from '../app/navigation.ts';
import { intParam } from '../app/routes.ts';
import { ArrayImage } from '../components/ArrayImage.tsx';
import { ColorStrip } from '../components/ColorStrip.tsx';
import { OPENFWI_VELOCITY_RANGE_MPS } from '../../../main/core/contract/velocityRange.ts';
import { EmptyState, ErrorAlert, ViewHeader } from '../components/common.tsx';
import { formatMetric } from '../models/format.ts';
import { colormap } from '../plot/colormaps.ts';
import { gridGeometry, itemsOfRows, pagesOfItems, visibleRows } from '../plot/virtualGrid.ts';
import { activeFilterCount, emptyFilter, parseFilterNumber, type GalleryFilter, type InvMetric, type SortKey } from '../gallery/query.ts';
import { PAGE_SIZE, useSamplePages } from '../gallery/useSamplePages.ts';
import { useThumbnailReset, useVelocityThumbnail } from '../gallery/thumbnails.ts';
import { ChallengingDialog, ExportGeneratedDialog } from './GalleryDialogs.tsx';
import { SampleDetailDialog } from './SampleDetail.tsx';

const CELL_WIDTH = 160;
const CELL_HEIGHT = 242;
const GAP = 8;
const OVERSCAN_ROWS = 2;
const THUMB_SIZE = 144;
/** Thumbnails share one colour range so cells compare: OpenFWI's velocity range. */
export const THUMB_MIN_MPS = OPENFWI_VELOCITY_RANGE_MPS.min;
export const THUMB_MAX_MPS = OPENFWI_VELOCITY_RANGE_MPS.max;

const SORT_LABELS: Record<SortKey, string> = {
  id: 'Generation order',
  pde_rel_l2: 'PDE deviation (rel. L2)',
  pde_mse: 'PDE deviation (MSE)',
  inv_mae: 'Inversion error (MAE)',
  inv_rmse: 'Inversion error (RMSE)',
  inv_ssim: 'Inversion SSIM',
  seed: 'Seed',
};
const INV_LABELS: Record<InvMetric, string> = { inv_mae: 'MAE', inv_rmse: 'RMSE', inv_ssim: 'SSIM' };

/** Every generated sample of the project in a virtualised grid, with filters, sorting, a detail view, challenging samples and export. */
export function GalleryView({ params }: { params: Record<string, string> }) {
  useThumbnailReset();
  const runs = useApiQuery('generate.runs', {}, { refreshOn: ['generation_runs'] });
  const tags = useApiQuery('gallery.tags', {}, { refreshOn: ['generation_tags'] });
  const [filter, setFilter] = useState<GalleryFilter>(() => ({ ...emptyFilter, runId: params.run ? intParam(params, 'run', -1) : null, tag: params.tag ?? null }));
  const [sort, setSort] = useState<SortKey>(() => ((params.sort as SortKey) in SORT_LABELS ? (params.sort as SortKey) : 'id'));
  const [descending, setDescending] = useState(params.desc === '1');
  const [openSample, setOpenSample] = useState<number | null>(() => (params.sample ? intParam(params, 'sample', -1) : null));
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [challengingOpen, setChallengingOpen] = useState(false);
  const [exportOpen, setExportOpen] = useState(false);

  // Scroll window of the grid.
  const scroller = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ width: 0, height: 0, scrollTop: 0 });
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport((v) => ({ ...v, width: el.clientWidth, height: el.clientHeight })));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Scroll positions are applied once per animation frame, however many scroll events arrive.
  const scrollFrame = useRef<number | null>(null);
  const onScroll = useCallback(() => {
    if (scrollFrame.current !== null) return;
    scrollFrame.current = requestAnimationFrame(() => {
      scrollFrame.current = null;
      const top = scroller.current?.scrollTop ?? 0;
      setViewport((v) => (v.scrollTop === top ? v : { ...v, scrollTop: top }));
    });
  }, []);
  useEffect(() => () => {
    if (scrollFrame.current !== null) cancelAnimationFrame(scrollFrame.current);
  }, []);

  const [total, setTotal] = useState<number | null>(null);
  const geometry = gridGeometry(viewport.width - 2 * GAP, total ?? 0, CELL_WIDTH, CELL_HEIGHT, GAP);
  const rows = visibleRows(viewport.scrollTop, viewport.height, geometry, OVERSCAN_ROWS);
  const items = itemsOfRows(rows, geometry.columns, total ?? 0);
  const needed = total === null ? [0] : pagesOfItems(items.start, items.end, PAGE_SIZE);
  const pages = useSamplePages(filter, sort, descending, needed);
  useEffect(() => setTotal(pages.total), [pages.total]);

  // A new filter or sort starts at the top.
  const queryKey = JSON.stringify([filter, sort, descending]);
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
    setViewport((v) => ({ ...v, scrollTop: 0 }));
  }, [queryKey]);

  useEffect(() => {
    const p: Record<string, string> = {};
    if (filter.runId !== null) p.run = String(filter.runId);
    if (filter.tag !== null) p.tag = filter.tag;
    if (sort !== 'id') p.sort = sort;
    if (descending) p.desc = '1';
    if (openSample !== null) p.sample = String(openSample);
    replaceRoute({ view: 'gallery', params: p });
  }, [filter.runId, filter.tag, sort, descending, openSample]);

  const models = useMemo(() => [...new Set((runs.data ?? []).map((r) => r.stage2Ref))], [runs.data]);
  const samplers = useMemo(() => [...new Set((runs.data ?? []).map((r) => r.sampler))], [runs.data]);
  const update = (patch: Partial<GalleryFilter>) => setFilter((f) => ({ ...f, ...patch }));
  // Stable, so the memoised cells re-render only when their own sample or selection changes.
  const toggle = useCallback(
    (id: number) =>
      setSelected((current) => {
        const next = new Set(current);
        if (next.has(id)) next.delete(id);
        else next.add(id);
        return next;
      }),
    [],
  );

  // The columns sit centred in the width they leave.
  const offsetX = Math.max(GAP, Math.floor((viewport.width - (geometry.columns * CELL_WIDTH + (geometry.columns - 1) * GAP)) / 2));
  const cells: React.ReactNode[] = [];
  for (let index = items.start; index < items.end; index++) {
    const row = Math.floor(index / geometry.columns);
    const col = index % geometry.columns;
    const sample = pages.sampleAt(index);
    cells.push(
      <GalleryCell
        key={sample ? `s${sample.id}` : `i${index}`}
        index={index}
        sample={sample}
        top={row * geometry.rowHeight + GAP}
        left={offsetX + col * (CELL_WIDTH + GAP)}
        selected={sample ? selected.has(sample.id) : false}
        onOpen={setOpenSample}
        onToggle={toggle}
      />,
    );
  }

  const noRuns = runs.data && runs.data.length === 0;
  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%', minHeight: 600 }}>
      <ViewHeader
        title="Gallery"
        subtitle={`Generated samples with their PDE deviation ‖ŝ − f(v̂)‖/‖f(v̂)‖ and InversionNet's error against v̂ (MAE/RMSE on [−1, 1]). Thumbnails: v̂, ${THUMB_MIN_MPS}–${THUMB_MAX_MPS} m/s.`}
        actions={
          <>
            <Button variant="outlined" startIcon={<WhatshotIcon />} disabled={!total} onClick={() => setChallengingOpen(true)} data-testid="gallery-challenging">
              Challenging samples…
            </Button>
            <Button variant="outlined" startIcon={<SaveAltIcon />} disabled={!total} onClick={() => setExportOpen(true)} data-testid="gallery-export">
              Export…
            </Button>
          </>
        }
      />
      <ErrorAlert error={runs.error} testId="gallery-runs-error" />
      <ErrorAlert error={pages.error} testId="gallery-error" />
      {noRuns ? (
        <EmptyState title="No generated samples yet" testId="gallery-empty">
          <GoGenerate />
        </EmptyState>
      ) : (
        <>
          <Paper variant="outlined" sx={{ p: 1.5, mb: 1.5 }}>
            <Stack direction="row" sx={{ flexWrap: 'wrap', gap: 1.5, alignItems: 'center' }}>
              <FormControl sx={{ minWidth: 190 }}>
                <InputLabel id="gallery-sort-label">Sort by</InputLabel>
                <Select labelId="gallery-sort-label" label="Sort by" value={sort} onChange={(e) => setSort(e.target.value as SortKey)} data-testid="gallery-sort">
                  {(Object.keys(SORT_LABELS) as SortKey[]).map((k) => (
                    <MenuItem key={k} value={k} data-testid="gallery-sort-option" data-sort={k}>
                      {SORT_LABELS[k]}
                    </MenuItem>
                  ))}
                </Select>
              </FormControl>
              <Tooltip title={descending ? 'Descending (largest first)' : 'Ascending (smallest first)'}>
                <IconButton onClick={() => setDescending((d) => !d)} aria-label="Sort direction" data-testid="gallery-sort-direction" data-descending={descending}>
                  {descending ? <ArrowDownwardIcon /> : <ArrowUpwardIcon />}
                </IconButton>
              </Tooltip>
              <FilterSelect
                label="Run"
                testId="gallery-filter-run"
                value={filter.runId === null ? '' : String(filter.runId)}
                options={(runs.data ?? []).map((r) => ({ value: String(r.id), label: `Run ${r.id} · ${r.samplerLabel} · ${r.samples}` }))}
                onChange={(v) => update({ runId: v === '' ? null : Number(v) })}
              />
              <FilterSelect label="Model" testId="gallery-filter-model" value={filter.model ?? ''} options={models.map((m) => ({ value: m, label: m }))} onChange={(v) => update({ model: v || null })} />
              <FilterSelect label="Sampler" testId="gallery-filter-sampler" value={filter.sampler ?? ''} options={samplers.map((s) => ({ value: s, label: s.toUpperCase() }))} onChange={(v) => update({ sampler: v || null })} />
              <FilterSelect label="Tag" testId="gallery-filter-tag" value={filter.tag ?? ''} options={(tags.data ?? []).map((t) => ({ value: t.tag, label: `${t.tag} (${t.count})` }))} onChange={(v) => update({ tag: v || null })} />
              <NumberFilter label="Seed" testId="gallery-filter-seed" value={filter.seed} integer onCommit={(v) => update({ seed: v })} />
              <NumberFilter label="PDE dev. ≥" testId="gallery-filter-pde-min" value={filter.pdeMin} onCommit={(v) => update({ pdeMin: v })} />
              <NumberFilter label="PDE dev. ≤" testId="gallery-filter-pde-max" value={filter.pdeMax} onCommit={(v) => update({ pdeMax: v })} />
              <FormControl sx={{ minWidth: 100 }}>
                <InputLabel id="gallery-filter-inv-metric-label">Inversion</InputLabel>
                <Select labelId="gallery-filter-inv-metric-label" label="Inversion" value={filter.invMetric} onChange={(e) => update({ invMetric: e.target.value as InvMetric })} data-testid="gallery-filter-inv-metric">
                  {(Object.keys(INV_LABELS) as InvMetric[]).map((k) => (
                    <MenuItem key={k} value={k} data-testid="gallery-filter-inv-metric-option" data-metric={k}>
                      {INV_LABELS[k]}
                    </MenuItem>
                  ))}
                </Select>
              </FormControl>
              <NumberFilter label="≥" testId="gallery-filter-inv-min" value={filter.invMin} onCommit={(v) => update({ invMin: v })} width={80} />
              <NumberFilter label="≤" testId="gallery-filter-inv-max" value={filter.invMax} onCommit={(v) => update({ invMax: v })} width={80} />
              <Tooltip title="Clear filters">
                <span>
                  <IconButton disabled={activeFilterCount(filter) === 0} onClick={() => setFilter(emptyFilter)} aria-label="Clear filters" data-testid="gallery-filter-clear">
                    <FilterAltOffIcon />
                  </IconButton>
                </span>
              </Tooltip>
            </Stack>
          </Paper>
          <Stack direction="row" sx={{ alignItems: 'center', gap: 2, mb: 1, minHeight: 30 }}>
            <Typography variant="body2" data-testid="gallery-total" data-total={total ?? ''}>
              {total === null ? 'Loading…' : `${total.toLocaleString('en-US')} sample${total === 1 ? '' : 's'}${activeFilterCount(filter) > 0 ? ' match' : ''}`}
            </Typography>
            {selected.size > 0 && (
              <>
                <Typography variant="body2" color="primary" data-testid="gallery-selection" data-count={selected.size}>
                  {selected.size} selected
                </Typography>
                <Button size="small" onClick={() => setSelected(new Set())} data-testid="gallery-selection-clear">
                  Clear selection
                </Button>
              </>
            )}
          </Stack>
          <Box
            ref={scroller}
            onScroll={onScroll}
            sx={{ flex: 1, minHeight: 420, overflowY: 'auto', position: 'relative', border: 1, borderColor: 'divider', borderRadius: 1, bgcolor: 'background.default' }}
            data-testid="gallery-grid"
            data-columns={geometry.columns}
            data-first-row={rows.first}
            data-rendered={items.end - items.start}
            role="grid"
            aria-rowcount={geometry.rows}
          >
            {total === null && <LinearProgress />}
            {total === 0 && !pages.error && (
              <Typography variant="body2" color="text.secondary" sx={{ p: 3 }} data-testid="gallery-none-match">
                No sample matches these filters.
              </Typography>
            )}
            <Box sx={{ position: 'relative', height: geometry.contentHeight + 2 * GAP }}>{cells}</Box>
          </Box>
        </>
      )}
      {openSample !== null && <SampleDetailDialog sampleId={openSample} onClose={() => setOpenSample(null)} />}
      <ChallengingDialog
        open={challengingOpen}
        runId={filter.runId}
        onClose={() => setChallengingOpen(false)}
        onDone={(tag) => {
          setChallengingOpen(false);
          setFilter({ ...emptyFilter, runId: filter.runId, tag, invMetric: filter.invMetric });
          setSort(filter.invMetric);
          setDescending(filter.invMetric !== 'inv_ssim');
        }}
      />
      <ExportGeneratedDialog open={exportOpen} filter={filter} runId={filter.runId} selection={[...selected]} onClose={() => setExportOpen(false)} />
    </Box>
  );
}

function GoGenerate() {
  const { navigate } = useNavigation();
  return (
    <>
      <span>Generate seismic–velocity pairs with the diffusion models; they appear here with their metrics.</span>
      <Button variant="contained" onClick={() => navigate('generate')} data-testid="gallery-go-generate">
        Go to Generate
      </Button>
    </>
  );
}

function FilterSelect({ label, testId, value, options, onChange }: { label: string; testId: string; value: string; options: { value: string; label: string }[]; onChange: (value: string) => void }) {
  const known = value === '' || options.some((o) => o.value === value);
  return (
    <FormControl sx={{ minWidth: 130 }}>
      <InputLabel id={`${testId}-label`}>{label}</InputLabel>
      <Select labelId={`${testId}-label`} label={label} value={known ? value : ''} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
        <MenuItem value="" data-testid={`${testId}-option`} data-value="">
          <em>Any</em>
        </MenuItem>
        {options.map((o) => (
          <MenuItem key={o.value} value={o.value} data-testid={`${testId}-option`} data-value={o.value}>
            {o.label}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/** A numeric filter that applies on Enter or blur (typing "0.15" does not query for 0 and 0.1 first). */
function NumberFilter({ label, testId, value, onCommit, integer = false, width = 110 }: { label: string; testId: string; value: number | null; onCommit: (value: number | null) => void; integer?: boolean; width?: number }) {
  const [text, setText] = useState(value === null ? '' : String(value));
  useEffect(() => setText(value === null ? '' : String(value)), [value]);
  const parsed = parseFilterNumber(text, integer);
  const commit = () => {
    if (parsed !== undefined && parsed !== value) onCommit(parsed);
  };
  return (
    <TextField
      label={label}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
      }}
      error={parsed === undefined}
      sx={{ width }}
      slotProps={{ htmlInput: { 'data-testid': testId, inputMode: 'decimal', 'aria-label': label } }}
    />
  );
}

const velocityLut = colormap('turbo');

const GalleryCell = memo(function GalleryCell({ index, sample, top, left, selected, onOpen, onToggle }: {
  index: number;
  sample: GeneratedSample | undefined;
  top: number;
  left: number;
  selected: boolean;
  onOpen: (id: number) => void;
  onToggle: (id: number) => void;
}) {
  return (
    <Paper
      variant="outlined"
      role="gridcell"
      data-testid="gallery-cell"
      data-index={index}
      data-sample-id={sample?.id ?? ''}
      data-pde={sample?.pde_rel_l2 ?? ''}
      data-inv-mae={sample?.inv_mae ?? ''}
      aria-selected={selected}
      onClick={() => sample && onOpen(sample.id)}
      sx={{
        position: 'absolute',
        top,
        left,
        width: CELL_WIDTH,
        height: CELL_HEIGHT,
        p: 0.75,
        cursor: sample ? 'pointer' : 'default',
        borderColor: selected ? 'primary.main' : undefined,
        '&:hover': { borderColor: 'primary.light' },
      }}
    >
      {sample ? <CellContent sample={sample} selected={selected} onToggle={onToggle} /> : <Box sx={{ width: THUMB_SIZE, height: THUMB_SIZE, bgcolor: 'action.hover', borderRadius: 0.5 }} />}
    </Paper>
  );
});

function CellContent({ sample, selected, onToggle }: { sample: GeneratedSample; selected: boolean; onToggle: (id: number) => void }) {
  const { thumbnail, error } = useVelocityThumbnail(sample.datasetId, sample.sampleIndex);
  return (
    <>
      <Box sx={{ position: 'relative', width: THUMB_SIZE, height: THUMB_SIZE, bgcolor: 'action.hover', borderRadius: 0.5, mx: 'auto' }}>
        {thumbnail ? (
          <ArrayImage
            values={thumbnail.values}
            rows={thumbnail.rows}
            cols={thumbnail.cols}
            lut={velocityLut}
            min={THUMB_MIN_MPS}
            max={THUMB_MAX_MPS}
            width={THUMB_SIZE}
            height={THUMB_SIZE}
            testId="gallery-thumb"
            ariaLabel={`Decoded velocity of sample ${sample.id}`}
          />
        ) : error ? (
          <Typography variant="caption" color="error" sx={{ p: 1, display: 'block' }} data-testid="gallery-thumb-error">
            {error.message}
          </Typography>
        ) : null}
        <Checkbox
          size="small"
          checked={selected}
          onClick={(e) => e.stopPropagation()}
          onChange={() => onToggle(sample.id)}
          sx={{ position: 'absolute', top: -6, right: -6, p: 0.5, bgcolor: 'rgba(16,20,24,0.6)', '&:hover': { bgcolor: 'rgba(16,20,24,0.8)' } }}
          slotProps={{ input: { 'aria-label': `Select sample ${sample.id}`, 'data-testid': 'gallery-cell-select' } as object }}
        />
      </Box>
      <Box sx={{ mx: 'auto', mt: 0.25, width: THUMB_SIZE }}>
        <ColorStrip lut={velocityLut} min={THUMB_MIN_MPS} max={THUMB_MAX_MPS} unit="m/s" width={THUMB_SIZE} testId="gallery-thumb-colorbar" />
      </Box>
      <Box sx={{ mt: 0.25, fontFamily: 'monospace', fontSize: 11, lineHeight: 1.4, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', '& > div': { overflow: 'hidden', textOverflow: 'ellipsis' } }}>
        <div>
          #{sample.id} · seed {sample.seed}
        </div>
        <Tooltip title="PDE deviation: ‖ŝ − f(v̂)‖₂ / ‖f(v̂)‖₂">
          <div data-testid="gallery-cell-pde">PDE {formatMetric(sample.pde_rel_l2, 3)}</div>
        </Tooltip>
        <Tooltip title="InversionNet(ŝ) against v̂: MAE on [−1, 1] and SSIM">
          <div data-testid="gallery-cell-inv">
            MAE {formatMetric(sample.inv_mae, 3)} · SSIM {formatMetric(sample.inv_ssim, 2)}
          </div>
        </Tooltip>
        {sample.tags.length > 0 && (
          <Typography variant="caption" color="secondary" noWrap component="div" sx={{ fontSize: 10.5 }} data-testid="gallery-cell-tags">
            {sample.tags.join(', ')}
          </Typography>
        )}
      </Box>
    </>
  );
}
