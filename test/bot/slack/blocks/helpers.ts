import type { ActionsBlockElement, AnyBlock, Button, KnownBlock, SectionBlockAccessory } from '@slack/types';
import { parseActionValue } from '../../../../src/bot/slack/ids.ts';
import type { ActionValue } from '../../../../src/bot/slack/ids.ts';

/** Every element of every actions block (and section accessory), in order. */
export const elementsOf = (blocks: readonly AnyBlock[]): (ActionsBlockElement | SectionBlockAccessory)[] =>
  (blocks as KnownBlock[]).flatMap((b): (ActionsBlockElement | SectionBlockAccessory)[] =>
    b.type === 'actions' ? b.elements : b.type === 'section' && b.accessory ? [b.accessory] : [],
  );

export const buttonsOf = (blocks: readonly AnyBlock[]): Button[] =>
  elementsOf(blocks).filter((e): e is Button => e.type === 'button');

/** The buttons whose action id is `base` or `base:n`, with their parsed values. */
export const buttons = (
  blocks: readonly AnyBlock[],
  base: string,
): { button: Button; value: ActionValue }[] =>
  buttonsOf(blocks)
    .filter((b) => b.action_id === base || b.action_id?.startsWith(`${base}:`))
    .map((button) => {
      const value = parseActionValue(button.value);
      if (!value) throw new Error(`unparseable value on ${button.action_id}: ${button.value}`);
      return { button, value };
    });

/** All the text a person would read in the blocks, joined. */
export const textOf = (blocks: readonly AnyBlock[]): string => {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') out.push(o.text);
      Object.values(o).forEach(walk);
    }
  };
  walk(blocks);
  return out.join('\n');
};
