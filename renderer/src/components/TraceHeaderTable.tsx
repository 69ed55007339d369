import { useMemo, useState } from 'react';
import {
  Box,
  FormControlLabel,
  LinearProgress,
  Paper,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TablePagination,
  TableRow,
  Typography,
} from '@mui/material';
import { useApiQuery } from '../api/hooks.ts';
import { ErrorAlert } from './common.tsx';

const ROWS_PER_PAGE_OPTIONS = [25, 50, 100, 250];

/** Trace headers of one SEG-Y gather (segyio field names), paginated; all-zero fields hidden unless asked for. */
export function TraceHeaderTable({ datasetId, sample, source }: { datasetId: number; sample: number; source: number }) {
  const query = useApiQuery('dataset.traceHeaders', { datasetId, sample, source });
  const [page, setPage] = useState(0);
  const [rowsPerPage, setRowsPerPage] = useState(50);
  const [showZero, setShowZero] = useState(false);
  const table = query.data;

  const columns = useMemo(() => {
    if (!table) return [];
    const indices = table.fields.map((_, i) => i);
    return showZero ? indices : indices.filter((i) => table.rows.some((row) => row[i] !== 0));
  }, [table, showZero]);

  const rowCount = table?.rows.length ?? 0;
  const safePage = Math.min(page, Math.max(0, Math.ceil(rowCount / rowsPerPage) - 1));
  const rows = table ? table.rows.slice(safePage * rowsPerPage, safePage * rowsPerPage + rowsPerPage) : [];

  return (
    <Paper variant="outlined" data-testid="trace-headers">
      <Box sx={{ display: 'flex', alignItems: 'center', px: 2, pt: 1.5, gap: 2 }}>
        <Typography variant="subtitle1" sx={{ fontWeight: 600, flex: 1 }}>
          Trace headers
          {table && (
            <Typography component="span" variant="body2" color="text.secondary" sx={{ ml: 1 }}>
              {rowCount} traces · {columns.length} of {table.fields.length} fields
            </Typography>
          )}
        </Typography>
        <FormControlLabel
          control={<Switch size="small" checked={showZero} onChange={(e) => setShowZero(e.target.checked)} slotProps={{ input: { 'data-testid': 'trace-headers-show-zero' } as object }} />}
          label="Show all-zero fields"
        />
      </Box>
      <Box sx={{ height: 4 }}>{query.loading && <LinearProgress />}</Box>
      <Box sx={{ px: 2 }}>
        <ErrorAlert error={query.error} testId="trace-headers-error" />
      </Box>
      {table && (
        <>
          <TableContainer sx={{ maxHeight: 420 }}>
            <Table stickyHeader size="small" aria-label="Trace headers" data-testid="trace-headers-table">
              <TableHead>
                <TableRow>
                  <TableCell>#</TableCell>
                  {columns.map((i) => (
                    <TableCell key={table.fields[i]} align="right">
                      {table.fields[i]}
                    </TableCell>
                  ))}
                </TableRow>
              </TableHead>
              <TableBody>
                {rows.map((row, r) => (
                  <TableRow key={safePage * rowsPerPage + r} hover data-testid="trace-headers-row">
                    <TableCell sx={{ color: 'text.secondary' }}>{safePage * rowsPerPage + r}</TableCell>
                    {columns.map((i) => (
                      <TableCell key={i} align="right" sx={{ fontFamily: 'monospace' }}>
                        {row[i]}
                      </TableCell>
                    ))}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
          <TablePagination
            component="div"
            count={rowCount}
            page={safePage}
            rowsPerPage={rowsPerPage}
            rowsPerPageOptions={ROWS_PER_PAGE_OPTIONS}
            onPageChange={(_e, p) => setPage(p)}
            onRowsPerPageChange={(e) => {
              setRowsPerPage(Number(e.target.value));
              setPage(0);
            }}
            data-testid="trace-headers-pagination"
          />
        </>
      )}
    </Paper>
  );
}
