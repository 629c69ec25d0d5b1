import { MethodError, decodeJson, problem } from '../args.ts';
import { LIMITS, blockTextLength, checkBlocks } from '../block-kit.ts';
import type { SlackBlock } from '../types.ts';

export interface RawContent {
  readonly text?: string | undefined;
  readonly blocks?: unknown;
  readonly attachments?: unknown;
  readonly markdown_text?: string | undefined;
}

export interface ParsedContent {
  readonly text?: string;
  readonly blocks?: readonly SlackBlock[];
  readonly attachments?: readonly unknown[];
}

const MAX_ATTACHMENTS = 100;

const parseBlocks = (raw: unknown): readonly SlackBlock[] | undefined => {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const decoded = decodeJson(raw);
  if (!decoded.ok || !Array.isArray(decoded.value)) throw new MethodError('invalid_blocks_format');
  const problems = checkBlocks(decoded.value, 'message');
  if (problems.length > 0) throw new MethodError('invalid_blocks', problems);
  if (blockTextLength(decoded.value) > LIMITS.messageBlocksText) throw new MethodError('msg_blocks_too_long');
  return decoded.value as SlackBlock[];
};

const parseAttachments = (raw: unknown): readonly unknown[] | undefined => {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const decoded = decodeJson(raw);
  if (!decoded.ok || !Array.isArray(decoded.value)) throw new MethodError('invalid_attachments');
  if (decoded.value.length > MAX_ATTACHMENTS) throw new MethodError('too_many_attachments');
  return decoded.value;
};

/**
 * A message's text, blocks and attachments, checked as Slack checks them. With `required`, one of them must
 * say something (`no_text`).
 */
export const parseContent = (
  raw: RawContent,
  { required }: { readonly required: boolean },
): ParsedContent => {
  if (raw.markdown_text !== undefined && (raw.text !== undefined || raw.blocks !== undefined))
    throw new MethodError('markdown_text_conflict');
  const text = raw.markdown_text ?? raw.text;
  if (text !== undefined && text.length > LIMITS.messageText)
    throw new MethodError('msg_too_long', [
      problem(`must be less than ${LIMITS.messageText + 1} characters`, '/text'),
    ]);
  const blocks = parseBlocks(raw.blocks);
  const attachments = parseAttachments(raw.attachments);
  const empty = (text ?? '') === '' && (blocks ?? []).length === 0 && (attachments ?? []).length === 0;
  if (required && empty) throw new MethodError('no_text');
  return {
    ...(text === undefined ? {} : { text }),
    ...(blocks === undefined ? {} : { blocks }),
    ...(attachments === undefined ? {} : { attachments }),
  };
};
