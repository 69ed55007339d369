import { describe, it, expect } from 'vitest';
import { parseInline, parseMarkdown } from './markdown.ts';

describe('report Markdown', () => {
  it('splits a report into headings, paragraphs, lists, tables, images and code', () => {
    const blocks = parseMarkdown(
      ['# Title', '', 'One **bold** and `code`', 'continued.', '', '- a', '- b', '', '| set | mean |', '| --- | --- |', '| random | 0.4 |', '| a \\| b | — |', '', '![Plot](plots/sets.png)', '', '```json', '{ "x": 1 }', '```'].join('\n'),
    );
    expect(blocks.map((b) => b.kind)).toEqual(['heading', 'paragraph', 'list', 'table', 'image', 'code']);
    expect(blocks[1]).toEqual({ kind: 'paragraph', text: [{ kind: 'text', text: 'One ' }, { kind: 'bold', text: 'bold' }, { kind: 'text', text: ' and ' }, { kind: 'code', text: 'code' }, { kind: 'text', text: ' continued.' }] });
    expect(blocks[3]).toEqual({ kind: 'table', header: ['set', 'mean'], rows: [['random', '0.4'], ['a | b', '—']] });
    expect(blocks[4]).toEqual({ kind: 'image', alt: 'Plot', src: 'plots/sets.png' });
    expect(blocks[5]).toEqual({ kind: 'code', text: '{ "x": 1 }' });
  });

  it('keeps plain text without markup as one part', () => {
    expect(parseInline('x > y')).toEqual([{ kind: 'text', text: 'x > y' }]);
  });
});
