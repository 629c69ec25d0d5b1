import { describe, expect, it } from 'vitest';
import { dateTimeSeconds, readSubmission, REQUIRED } from '../../src/playground/submission.ts';

const input = (blockId: string, element: Record<string, unknown>, optional = false) => ({
  type: 'input',
  block_id: blockId,
  label: { type: 'plain_text', text: blockId },
  element: { action_id: 'value', ...element },
  ...(optional ? { optional: true } : {}),
});

const view = {
  id: 'V1',
  blocks: [
    input('summary', { type: 'plain_text_input' }),
    input('severity', { type: 'static_select' }),
    input('services', { type: 'multi_static_select' }),
    input('people', { type: 'multi_users_select' }, true),
    input('ticks', { type: 'checkboxes' }, true),
    input('day', { type: 'datepicker' }, true),
    input('start', { type: 'datetimepicker' }, true),
    { type: 'section', block_id: 'note', text: { type: 'mrkdwn', text: 'hi' } },
  ],
} as never;

const ALL = new Set([
  'plain_text_input',
  'static_select',
  'multi_static_select',
  'multi_users_select',
  'checkboxes',
  'datepicker',
  'datetimepicker',
]);

describe('reading a modal form as Slack submits it', () => {
  it('gives every input its value: empty text and no choice are null, multi choices lists', () => {
    const read = readSubmission(
      view,
      {
        summary: { value: 'Fix totals' },
        severity: { value: 'high' },
        services: { value: ['api'] },
        day: { value: '' },
        start: { value: '2025-03-14T09:05' },
      },
      ALL,
    );
    expect(read).toEqual({
      ok: true,
      dropped: [],
      values: {
        summary: { value: 'Fix totals' },
        severity: { value: 'high' },
        services: { value: ['api'] },
        people: { value: [] },
        ticks: { value: [] },
        day: { value: null },
        start: { value: 1741943100 },
      },
    });
  });

  it('stops at required fields left empty, as Slack does before the app sees anything', () => {
    expect(readSubmission(view, { summary: { value: '' }, services: { value: [] } }, ALL)).toEqual({
      ok: false,
      message: 'Some fields need your attention.',
      errors: { summary: REQUIRED, severity: REQUIRED, services: REQUIRED },
    });
  });

  it('refuses values for blocks that are not inputs of the view, and malformed values', () => {
    expect(readSubmission(view, { note: { value: 'x' } }, ALL)).toMatchObject({
      ok: false,
      message: 'view V1 has no input block "note"',
    });
    const read = readSubmission(
      view,
      {
        summary: { value: 'x' },
        severity: { value: ['a', 'b'] },
        services: { value: 'api' },
        start: { value: 'tomorrow' },
      },
      ALL,
    );
    expect(read).toMatchObject({
      ok: false,
      errors: { severity: 'Choose one.', start: 'Enter a date and a time.' },
    });
  });

  it('leaves out elements the delivery cannot send, naming the filled ones', () => {
    const limited = new Set([...ALL].filter((t) => t !== 'datetimepicker'));
    const read = readSubmission(
      view,
      {
        summary: { value: 'x' },
        severity: { value: 'low' },
        services: { value: ['api'] },
        start: { value: '2025-03-14T09:05' },
      },
      limited,
    );
    expect(read).toMatchObject({ ok: true, dropped: ['start'] });
    expect(read.ok && 'start' in read.values).toBe(false);
  });

  it('reads a datetime-local value as UTC', () => {
    expect(dateTimeSeconds('1970-01-01T00:01')).toBe(60);
    expect(dateTimeSeconds('2025-03-14T09:05:30')).toBe(1741943130);
    expect(dateTimeSeconds('2025-13-40T99:99')).toBeUndefined();
  });
});
