import { useState } from 'react';
import { Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, LinearProgress, Tab, Table, TableBody, TableCell, TableHead, TableRow, Tabs, Typography } from '@mui/material';
import { useApiQuery } from '../api/hooks.ts';
import { ErrorAlert } from '../components/common.tsx';

/** The textual (40 cards of 80 characters, plus any extended ones) and binary headers of the SEG-Y file a sample came from. */
export function SegyHeadersDialog({ datasetId, sample, open, onClose }: { datasetId: number; sample: number; open: boolean; onClose: () => void }) {
  const query = useApiQuery('dataset.segyHeaders', open ? { datasetId, sample } : null);
  const [tab, setTab] = useState<'text' | 'binary'>('text');
  const headers = query.data;
  return (
    <Dialog open={open} onClose={onClose} maxWidth="lg" data-testid="segy-headers-dialog" aria-labelledby="segy-headers-title">
      <DialogTitle id="segy-headers-title">
        SEG-Y file headers
        {headers && (
          <Typography variant="body2" color="text.secondary" sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}>
            {headers.file}
          </Typography>
        )}
      </DialogTitle>
      <DialogContent dividers sx={{ minWidth: 760 }}>
        {query.loading && <LinearProgress />}
        <ErrorAlert error={query.error} testId="segy-headers-error" />
        {headers && (
          <>
            <Tabs value={tab} onChange={(_e, v: 'text' | 'binary') => setTab(v)} sx={{ mb: 1 }}>
              <Tab value="text" label={`Textual header (${headers.textEncoding.toUpperCase()})`} data-testid="segy-headers-tab-text" />
              <Tab value="binary" label="Binary header" data-testid="segy-headers-tab-binary" />
            </Tabs>
            {tab === 'text' ? (
              <Box
                component="pre"
                data-testid="segy-text-header"
                sx={{ m: 0, p: 1.5, bgcolor: 'rgba(255,255,255,0.03)', border: 1, borderColor: 'divider', borderRadius: 1, fontSize: 12, lineHeight: 1.45, overflowX: 'auto', width: '82ch' }}
              >
                {[headers.textHeader, ...headers.extendedTextHeaders]
                  .map((cards, i) => (i === 0 ? '' : `\n--- extended textual header ${i} ---\n`) + cards.map((line) => line.replace(/[\u0000-\u001f]/g, ' ')).join('\n'))
                  .join('\n')}
              </Box>
            ) : (
              <Table size="small" data-testid="segy-binary-header">
                <TableHead>
                  <TableRow>
                    <TableCell>Field</TableCell>
                    <TableCell align="right">Bytes</TableCell>
                    <TableCell align="right">Value</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {headers.binaryHeader.map((word) => (
                    <TableRow key={word.name} data-testid="segy-binary-row">
                      <TableCell sx={{ fontFamily: 'monospace' }}>{word.name}</TableCell>
                      <TableCell align="right" sx={{ fontFamily: 'monospace' }}>
                        {word.byte || '—'}
                      </TableCell>
                      <TableCell align="right" sx={{ fontFamily: 'monospace' }}>
                        {word.value}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            )}
          </>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="segy-headers-close">
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
}
