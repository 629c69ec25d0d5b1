import type { AnyBlock, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { checkBlockKit } from '../../../../src/bot/slack/blocks/limits.ts';
import { truncate, truncateMrkdwn, userText } from '../../../../src/bot/slack/blocks/text.ts';

const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const rules = (blocks: AnyBlock[], extra: Partial<Parameters<typeof checkBlockKit>[0]> = {}) =>
  checkBlockKit({ kind: 'message', text: 'x', blocks, ...extra }).map((v) => v.rule);

describe('checkBlockKit', () => {
  it('accepts a small valid message', () => {
    expect(checkBlockKit({ kind: 'message', text: 'hi', blocks: [section('hello')] })).toEqual([]);
  });

  it('catches an oversized section, header, and too many blocks', () => {
    expect(rules([section('x'.repeat(3001))])).toContain('section.text');
    expect(rules([{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }])).toContain(
      'header.text',
    );
    expect(rules(Array.from({ length: 51 }, () => section('x')))).toContain('blocks.count');
    expect(
      checkBlockKit({ kind: 'home', blocks: Array.from({ length: 100 }, () => section('x')) }).map(
        (v) => v.rule,
      ),
    ).toEqual([]);
    expect(rules([section('')])).toContain('section.text');
  });

  it('catches fields, context and actions over their counts', () => {
    const field = { type: 'mrkdwn' as const, text: 'f' };
    expect(rules([{ type: 'section', fields: Array.from({ length: 11 }, () => field) }])).toContain(
      'section.fields',
    );
    expect(rules([{ type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2001) }] }])).toContain(
      'section.field',
    );
    expect(rules([{ type: 'context', elements: Array.from({ length: 11 }, () => field) }])).toContain(
      'context.elements',
    );
    const button = (i: number) => ({
      type: 'button' as const,
      action_id: `a${i}`,
      text: { type: 'plain_text' as const, text: 'b' },
    });
    expect(rules([{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(i)) }])).toContain(
      'actions.elements',
    );
    expect(rules([{ type: 'actions', elements: [button(1), button(1)] }])).toContain('action_id.unique');
  });

  it('catches button text and value, option counts and lengths', () => {
    const long = {
      type: 'button' as const,
      action_id: 'a'.repeat(256),
      text: { type: 'plain_text' as const, text: 'b'.repeat(76) },
      value: 'v'.repeat(2001),
    };
    expect(rules([{ type: 'actions', elements: [long] }])).toEqual(
      expect.arrayContaining(['button.text', 'button.value', 'action_id']),
    );
    const option = (i: number, text = `o${i}`) => ({
      text: { type: 'plain_text' as const, text },
      value: `${i}`,
    });
    const boxes = {
      type: 'checkboxes' as const,
      action_id: 'c',
      options: Array.from({ length: 11 }, (_, i) => option(i)),
    };
    expect(rules([{ type: 'actions', elements: [boxes] }])).toContain('options.count');
    const select = {
      type: 'static_select' as const,
      action_id: 's',
      options: [...Array.from({ length: 101 }, (_, i) => option(i)), option(200, 't'.repeat(76))],
      initial_option: option(999),
    };
    expect(rules([{ type: 'section', text: { type: 'mrkdwn', text: 's' }, accessory: select }])).toEqual(
      expect.arrayContaining(['options.count', 'option.text', 'options.initial']),
    );
    expect(
      rules([
        {
          type: 'actions',
          elements: [
            {
              type: 'radio_buttons',
              action_id: 'r',
              options: [{ text: { type: 'plain_text', text: 'x' }, value: 'v'.repeat(76) }],
            },
          ],
        },
      ]),
    ).toContain('option.value');
  });

  it('catches duplicate and long block ids, a long message text and too much text in total', () => {
    expect(
      rules([
        { ...section('a'), block_id: 'x' },
        { ...section('b'), block_id: 'x' },
      ]),
    ).toContain('block_id.unique');
    expect(rules([{ ...section('a'), block_id: 'x'.repeat(256) }])).toContain('block_id');
    expect(rules([section('a')], { text: 't'.repeat(40_001) })).toContain('message.text');
    expect(rules(Array.from({ length: 5 }, () => section('x'.repeat(2900))))).toContain('message.total_text');
  });

  it('checks modal chrome and metadata', () => {
    const input: KnownBlock = {
      type: 'input',
      label: { type: 'plain_text', text: 'l' },
      element: { type: 'plain_text_input', action_id: 'v', max_length: 10, initial_value: 'x'.repeat(11) },
    };
    const violations = checkBlockKit({
      kind: 'modal',
      title: 'A title that is far too long for Slack',
      close: 'c'.repeat(25),
      private_metadata: 'm'.repeat(3001),
      callback_id: 'c'.repeat(256),
      blocks: [input],
    }).map((v) => v.rule);
    expect(violations).toEqual(
      expect.arrayContaining([
        'view.title',
        'view.close',
        'view.private_metadata',
        'view.callback_id',
        'view.submit',
        'input.initial_value',
      ]),
    );
    expect(rules([input])).toContain('input.surface');
  });
});

describe('truncate and userText', () => {
  it('cuts with an ellipsis, never past the limit', () => {
    expect(truncate('hello', 5)).toBe('hello');
    expect(truncate('hello world', 6)).toBe('hello…');
    expect(truncate('hello world', 6).length).toBeLessThanOrEqual(6);
    expect(truncate('😀😀😀', 4)).toBe('😀…');
  });

  it('escapes mrkdwn control characters and stays within the limit after escaping', () => {
    expect(userText('<!channel> & <@U1>', 100)).toBe('&lt;!channel&gt; &amp; &lt;@U1&gt;');
    const cut = userText('<'.repeat(100), 20);
    expect(cut.length).toBeLessThanOrEqual(20);
    expect(cut).toMatch(/^(&lt;)+…$/);
  });
});

describe('truncateMrkdwn', () => {
  it('never leaves half a mention or half an entity', () => {
    expect(truncateMrkdwn('hello <@U0123456> there', 12)).toBe('hello…');
    expect(truncateMrkdwn('a &amp; b', 5)).toBe('a…');
    expect(truncateMrkdwn('short', 10)).toBe('short');
  });

  it('never cuts through formatting: a code span, emphasis or code block it falls in is closed after the …', () => {
    expect(truncateMrkdwn('use `npm ci --prefer-offline` instead', 20)).toBe('use `npm ci --pref…`');
    expect(truncateMrkdwn('*Readiness* 2/5 and more text here', 6)).toBe('*Rea…*');
    expect(truncateMrkdwn('see _the runbook_ now', 12)).toBe('see _the r…_');
    expect(truncateMrkdwn('*bold with `code inside` ok*', 20)).toBe('*bold with `code…`*');
    // In a code block, an entity is still kept whole, and the block is closed.
    expect(truncateMrkdwn('```line1\nline2 &lt;x&gt; here\nline3```', 25)).toBe('```line1\nline2 &lt;x…```');
    // Too little room for anything inside: the pair is dropped whole.
    expect(truncateMrkdwn('ok `code`', 5)).toBe('ok…');
    // A lone marker is no pair: cut as text.
    expect(truncateMrkdwn('2*3 is 6 and 3*2 is 6 too', 10)).toBe('2*3 is 6…');
    for (const [text, n] of [
      ['`a` `b` `c` `d` `e` `f`', 9],
      ['_x_ *y* ~z~ `w` ```v```', 13],
    ] as const) {
      const cut = truncateMrkdwn(text, n);
      expect(cut.length, text).toBeLessThanOrEqual(n);
      expect((cut.match(/`/g) ?? []).length % 2, cut).toBe(0);
    }
  });

  it('keeps what a person typed as formatting whole in userText', () => {
    expect(userText('Use `npm ci` not `npm install` when the lockfile matters a lot', 30)).toBe(
      'Use `npm ci` not `npm instal…`',
    );
  });
});
