import { describe, expect, it } from 'vitest';
import { validateCard } from './validate-card.ts';

const base = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'hi', wrap: true }] };
const button = (i: number) => ({ type: 'Action.Execute', title: `b${i}`, verb: 'v', data: { i } });

describe('validateCard', () => {
  it('accepts a Teams card with its msteams extension, Table, ShowCard and task/fetch data', () => {
    expect(
      validateCard({
        ...base,
        msteams: { width: 'Full' },
        body: [
          ...base.body,
          {
            type: 'Table',
            columns: [{ width: 1 }],
            rows: [{ type: 'TableRow', cells: [{ type: 'TableCell', items: base.body }] }],
          },
        ],
        actions: [
          button(1),
          { type: 'Action.Submit', title: 's', data: { msteams: { type: 'task/fetch' } } },
          {
            type: 'Action.ShowCard',
            title: 'More',
            card: { type: 'AdaptiveCard', body: [], actions: [button(2)] },
          },
        ],
      }),
    ).toEqual([]);
  });

  it('flags what Teams would refuse or not show', () => {
    const seven = Array.from({ length: 7 }, (_, i) => button(i));
    expect(validateCard({ ...base, actions: seven })).toEqual([
      'validate TooManyActions: Maximum number of actions exceeded (6).',
    ]);
    expect(
      validateCard({
        ...base,
        actions: [
          {
            type: 'Action.ShowCard',
            title: 'More',
            card: { type: 'AdaptiveCard', body: [], actions: seven },
          },
        ],
      }),
    ).toEqual(['validate TooManyActions: Maximum number of actions exceeded (6).']);
    expect(
      validateCard({
        ...base,
        body: [
          { ...base.body[0], id: 'a' },
          { ...base.body[0], id: 'a' },
        ],
      }),
    ).toEqual(['validate DuplicateId: Duplicate Id "a".']);
    expect(validateCard({ ...base, body: [{ type: 'Input.Text', id: 'f', isRequired: true }] })).toEqual([
      'validate RequiredInputsShouldHaveLabel: Required inputs should have a label',
      'validate RequiredInputsShouldHaveErrorMessage: Required inputs should have an error message',
    ]);
    expect(validateCard({ ...base, body: [{ type: 'TextBlok', text: 'x' }] })).toContain(
      'parse UnknownElementType: Unknown element type "TextBlok". Fallback will be used if present.',
    );
    expect(
      validateCard({ ...base, body: [{ type: 'TextBlock', text: 'x', wrap: 'yes' }] }).join('\n'),
    ).toMatch(/^schema \/body\/0\/wrap: must be boolean$/m);
    expect(validateCard({ ...base, body: [{ type: 'TextBlock', text: 'x'.repeat(90_000) }] })[0]).toMatch(
      /^size: \d+ bytes \(max 81920\)$/,
    );
  });
});
