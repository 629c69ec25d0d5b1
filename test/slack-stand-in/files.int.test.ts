import { describe, expect, it } from 'vitest';
import { INCIDENTS, slackError, useStandIn } from './helpers.ts';

const { standIn, client } = useStandIn();

const record = '# HF-1 deployment record\n\n- plan v2 approved by bob\n';

describe('file uploads through the real WebClient', () => {
  it('runs files.uploadV2: upload URL, bytes, completion into a thread', async () => {
    const slack = client();
    const { ts } = await slack.chat.postMessage({ channel: INCIDENTS, text: 'HF-1 card' });
    const result = await slack.files.uploadV2({
      channel_id: INCIDENTS,
      thread_ts: ts as string,
      filename: 'HF-1-record.md',
      title: 'HF-1 record',
      content: record,
      initial_comment: 'Deployment record',
    });
    expect(result.ok).toBe(true);

    expect(standIn().calls.map((call) => `${call.kind}:${call.kind === 'api' ? call.method : ''}`)).toEqual([
      'api:chat.postMessage',
      'api:files.getUploadURLExternal',
      'upload:',
      'api:files.completeUploadExternal',
    ]);
    const [file] = standIn().files();
    expect(file).toMatchObject({
      name: 'HF-1-record.md',
      title: 'HF-1 record',
      filetype: 'markdown',
      size: Buffer.byteLength(record),
      channels: [INCIDENTS],
      completed: true,
    });
    expect(file?.content.toString('utf8')).toBe(record);

    const [, reply] = standIn().thread(INCIDENTS, ts as string);
    expect(reply).toMatchObject({
      text: 'Deployment record',
      files: [{ id: file?.id, name: 'HF-1-record.md' }],
    });
    const download = await fetch(file?.url_private as string);
    expect(await download.text()).toBe(record);
  });

  it('refuses to complete an upload that never arrived, or into an unknown channel', async () => {
    const slack = client();
    const { file_id } = await slack.files.getUploadURLExternal({ filename: 'r.md', length: 3 });
    const files = [{ id: file_id as string }] as [{ id: string }];
    expect(await slackError(slack.files.completeUploadExternal({ files, channel_id: INCIDENTS }))).toBe(
      'file_not_found',
    );
    expect(
      await slackError(
        slack.files.completeUploadExternal({ files: [{ id: 'F0NOPE' }], channel_id: INCIDENTS }),
      ),
    ).toBe('file_not_found');
    expect(await slackError(slack.files.completeUploadExternal({ files, channel_id: 'C0NOWHERE' }))).toBe(
      'channel_not_found',
    );
    expect(standIn().messages(INCIDENTS)).toEqual([]);
  });
});
