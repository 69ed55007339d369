import { Fragment } from 'react';
import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import type { StudyReport } from '../../../main/core/contract/contract.ts';
import { parseMarkdown, type Inline } from './markdown.ts';

function InlineText({ parts }: { parts: Inline[] }) {
  return (
    <>
      {parts.map((p, i) =>
        p.kind === 'bold' ? (
          <strong key={i}>{p.text}</strong>
        ) : p.kind === 'code' ? (
          <Box key={i} component="code" sx={{ fontFamily: 'monospace', bgcolor: 'action.hover', px: 0.5, borderRadius: 0.5 }}>
            {p.text}
          </Box>
        ) : (
          <Fragment key={i}>{p.text}</Fragment>
        ),
      )}
    </>
  );
}

/** A study's report.md with its plots shown from the PNGs study.open returned. */
export function MarkdownReport({ report, testId }: { report: StudyReport; testId: string }) {
  const images = new Map(report.plots.map((p) => [p.file, `data:image/png;base64,${p.pngBase64}`]));
  return (
    <Box data-testid={testId} sx={{ '& img': { maxWidth: '100%' } }}>
      {parseMarkdown(report.markdown).map((block, i) => {
        switch (block.kind) {
          case 'heading':
            return (
              <Typography key={i} variant={block.level === 1 ? 'h6' : 'subtitle1'} component={`h${Math.min(6, block.level + 1)}` as 'h2'} sx={{ mt: block.level === 1 ? 0 : 2, mb: 1, fontWeight: 700 }}>
                <InlineText parts={block.text} />
              </Typography>
            );
          case 'paragraph':
            return (
              <Typography key={i} variant="body2" sx={{ mb: 1 }}>
                <InlineText parts={block.text} />
              </Typography>
            );
          case 'list':
            return (
              <Box key={i} component="ul" sx={{ pl: 3, my: 1 }}>
                {block.items.map((item, k) => (
                  <Typography key={k} component="li" variant="body2">
                    <InlineText parts={item} />
                  </Typography>
                ))}
              </Box>
            );
          case 'table':
            return (
              <Table key={i} size="small" sx={{ mb: 2 }} data-testid={`${testId}-table`}>
                <TableHead>
                  <TableRow>
                    {block.header.map((h, k) => (
                      <TableCell key={k} sx={{ fontWeight: 700 }}>
                        {h}
                      </TableCell>
                    ))}
                  </TableRow>
                </TableHead>
                <TableBody>
                  {block.rows.map((row, r) => (
                    <TableRow key={r}>
                      {row.map((cell, k) => (
                        <TableCell key={k} sx={{ fontVariantNumeric: 'tabular-nums' }}>
                          {cell}
                        </TableCell>
                      ))}
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            );
          case 'image':
            return images.has(block.src) ? <Box key={i} component="img" src={images.get(block.src)} alt={block.alt} sx={{ display: 'block', my: 1 }} data-testid={`${testId}-plot`} /> : null;
          case 'code':
            return (
              <Box key={i} component="pre" sx={{ fontFamily: 'monospace', fontSize: 12, bgcolor: 'action.hover', p: 1, borderRadius: 1, overflowX: 'auto' }}>
                {block.text}
              </Box>
            );
        }
      })}
    </Box>
  );
}
