import { z } from 'zod';
import { MethodError, decodeJson, idList, integer, parseArgs, problem, timestamp } from '../args.ts';
import { fileObject } from '../state/files.ts';
import { parseContent } from './content.ts';
import type { MethodTable } from './method.ts';

const uploadUrlArgs = z.looseObject({
  filename: z.string().min(1),
  length: integer.pipe(z.int().min(0)),
  alt_text: z.string().max(1000).optional(),
  snippet_type: z.string().optional(),
});

const completedFile = z.looseObject({ id: z.string().min(1), title: z.string().optional() });

const completeArgs = z.looseObject({
  files: z.unknown(),
  channel_id: z.string().optional(),
  channels: idList.optional(),
  thread_ts: timestamp.optional(),
  initial_comment: z.string().optional(),
  blocks: z.unknown().optional(),
});

/** Uploads take three calls, as in Slack: reserve an upload URL, send the bytes there, then complete. */
export const fileMethods: MethodTable = {
  'files.getUploadURLExternal': (raw, { state, origin }) => {
    const args = parseArgs(uploadUrlArgs, raw);
    const file = state.files.reserve({
      filename: args.filename,
      length: args.length,
      ...(args.snippet_type === undefined ? {} : { snippetType: args.snippet_type }),
    });
    return { upload_url: `${origin}/upload/${file.id}`, file_id: file.id };
  },

  'files.completeUploadExternal': (raw, { state }) => {
    const args = parseArgs(completeArgs, raw);
    const decoded = decodeJson(args.files);
    if (!decoded.ok)
      throw new MethodError('invalid_arguments', [problem('failed to parse files JSON', '/files')]);
    const files = parseArgs(z.array(completedFile).min(1), decoded.value, 'invalid_arguments', '/files');
    const channelRef = args.channel_id ?? args.channels?.[0];
    if (args.thread_ts !== undefined && channelRef === undefined)
      throw new MethodError('invalid_arguments', [problem('thread_ts requires channel_id', '/thread_ts')]);
    const { bot } = state.workspace.workspace;
    const channel = channelRef === undefined ? undefined : state.workspace.requireChannel(channelRef);
    if (channel !== undefined && !state.workspace.isMember(channel.id, bot.userId))
      throw new MethodError('not_in_channel');
    if (
      channel !== undefined &&
      args.thread_ts !== undefined &&
      !state.messages.get(channel.id, args.thread_ts)
    )
      throw new MethodError('thread_not_found');
    for (const file of files)
      if (!state.files.get(file.id)?.uploaded) throw new MethodError('file_not_found');
    const content = parseContent(
      args.initial_comment !== undefined ? { text: args.initial_comment } : { blocks: args.blocks },
      { required: false },
    );
    const completed = files.map((file) =>
      state.files.complete(file.id, file.title, channel === undefined ? [] : [channel.id]),
    );
    if (channel !== undefined)
      state.messages.post({
        channel: channel.id,
        user: bot.userId,
        text: content.text ?? '',
        ...(content.blocks === undefined ? {} : { blocks: content.blocks }),
        ...(args.thread_ts === undefined ? {} : { thread_ts: args.thread_ts }),
        files: completed.map(fileObject),
      });
    return { files: completed.map(fileObject) };
  },
};
