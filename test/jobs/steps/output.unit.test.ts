import { describe, expect, it } from 'vitest';
import { createMasker } from '../../../src/jobs/steps/mask.ts';
import { createOutputTail, presentOutput, trimOutput } from '../../../src/jobs/steps/output.ts';

const lines = (n: number, width = 0) =>
  Array.from({ length: n }, (_, i) => `line ${i + 1}`.padEnd(width, '.')).join('\n');

describe('trimOutput', () => {
  it('keeps short output as it is, without trailing blank lines', () => {
    expect(trimOutput('a\nb\n\n')).toBe('a\nb');
    expect(trimOutput('')).toBe('');
  });

  it('keeps the last 20 lines after a marker counting the others', () => {
    const trimmed = trimOutput(lines(50)).split('\n');
    expect(trimmed[0]).toBe('… 30 earlier lines');
    expect(trimmed.slice(1)).toEqual(lines(50).split('\n').slice(30));
  });

  it('keeps at most 2000 characters of whole lines', () => {
    const trimmed = trimOutput(lines(15, 300)).split('\n');
    expect(trimmed[0]).toBe('… 9 earlier lines');
    expect(trimmed.slice(1).join('\n').length).toBeLessThanOrEqual(2000);
    expect(trimmed.at(-1)).toMatch(/^line 15\./);
  });

  it('cuts a single huge line to its end', () => {
    const trimmed = trimOutput(`${'x'.repeat(5000)}END`);
    expect(trimmed).toHaveLength(2000);
    expect(trimmed.startsWith('…')).toBe(true);
    expect(trimmed.endsWith('END')).toBe(true);
  });

  it('counts lines dropped before the text', () => {
    expect(trimOutput('last', 1)).toBe('… 1 earlier line\nlast');
  });
});

describe('presentOutput', () => {
  it('removes escape codes before masking, so codes inside a secret cannot smuggle it out', () => {
    const masker = createMasker({ values: ['supersecret'], patterns: [] });
    expect(presentOutput('\x1b[1msuper\x1b[0msecret\r\n', masker)).toBe('***');
  });
});

describe('createOutputTail', () => {
  it('discards whole lines from the head past its bound and counts them', () => {
    const tail = createOutputTail(20);
    for (let i = 1; i <= 10; i++) tail.append(`line ${i}\n`);
    const { text, droppedLines } = tail.read();
    expect(text).toBe('line 9\nline 10\n');
    expect(droppedLines).toBe(8);
    expect(trimOutput(text, droppedLines)).toBe('… 8 earlier lines\nline 9\nline 10');
  });
});
