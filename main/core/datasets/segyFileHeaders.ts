/** The textual and binary headers of the SEG-Y file a dataset sample was imported from. */
import fs from 'node:fs';
import type { DatasetDetail, SegyFileHeaders } from '../contract/contract.ts';
import { StudioError } from '../contract/errors.ts';
import { BINARY } from '../io/segy/fields.ts';
import { openSegyLayout } from '../io/segy/reader.ts';
import { textLines } from '../io/segy/text.ts';
import { locateSample } from './sampleAccess.ts';

/** What an import keeps of a file's headers in its part's meta. */
export interface StoredSegyHeaders {
  textEncoding: 'ebcdic' | 'ascii';
  textHeader: string;
  extendedTextHeaders: string[];
  binaryHeader: Record<string, number>;
}

export function segyHeadersToStore(layout: StoredSegyHeaders): StoredSegyHeaders {
  return { textEncoding: layout.textEncoding, textHeader: layout.textHeader, extendedTextHeaders: layout.extendedTextHeaders, binaryHeader: layout.binaryHeader };
}

/**
 * From the part's meta (imports keep them), else from the source file when it is still where it
 * was imported from (imports made before the headers were kept).
 */
export function segyFileHeaders(dataset: DatasetDetail, sample: number): SegyFileHeaders {
  const { part } = locateSample(dataset, sample);
  const file = typeof part.meta.sourceFile === 'string' ? part.meta.sourceFile : null;
  if (dataset.kind !== 'segy' || !file) throw new StudioError('not_found', `Dataset '${dataset.name}' was not imported from SEG-Y, so it has no file headers.`);
  let stored = part.meta.segyHeaders as StoredSegyHeaders | undefined;
  if (!stored) {
    if (!fs.existsSync(file)) {
      throw new StudioError('not_found', `${file}: the file this sample was imported from is gone, and the import did not keep its headers; re-import it to keep them with the dataset.`);
    }
    stored = segyHeadersToStore(openSegyLayout(file));
  }
  const byte = BINARY as Record<string, number>;
  return {
    file,
    textEncoding: stored.textEncoding,
    textHeader: textLines(stored.textHeader).map((line) => line.trimEnd()),
    extendedTextHeaders: stored.extendedTextHeaders.map((text) => textLines(text).map((line) => line.trimEnd())),
    binaryHeader: Object.entries(stored.binaryHeader).map(([name, value]) => ({ name, byte: byte[name] ?? 0, value })),
  };
}
