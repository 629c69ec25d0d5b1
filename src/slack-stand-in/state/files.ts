import { extname } from 'node:path';
import { MethodError } from '../args.ts';
import type { Clock, FileObject, StandInFile, Workspace } from '../types.ts';
import type { Ids } from './ids.ts';

export interface FileState {
  /** files.getUploadURLExternal: reserves an id; bytes arrive later at the upload URL. */
  reserve(input: {
    readonly filename: string;
    readonly length: number;
    readonly snippetType?: string;
  }): StandInFile;
  /** The upload URL received bytes. False for an unknown or already completed file. */
  receive(fileId: string, content: Buffer): boolean;
  /** files.completeUploadExternal: throws `file_not_found` for unknown or not yet uploaded files. */
  complete(fileId: string, title: string | undefined, channels: readonly string[]): StandInFile;
  get(fileId: string): StandInFile | undefined;
  list(): StandInFile[];
  reset(): void;
}

const TYPES: Readonly<Record<string, { mimetype: string; filetype: string; pretty_type: string }>> = {
  '.md': { mimetype: 'text/markdown', filetype: 'markdown', pretty_type: 'Markdown (raw)' },
  '.txt': { mimetype: 'text/plain', filetype: 'text', pretty_type: 'Plain Text' },
  '.json': { mimetype: 'application/json', filetype: 'json', pretty_type: 'JSON' },
  '.csv': { mimetype: 'text/csv', filetype: 'csv', pretty_type: 'CSV' },
  '.html': { mimetype: 'text/html', filetype: 'html', pretty_type: 'HTML' },
  '.png': { mimetype: 'image/png', filetype: 'png', pretty_type: 'PNG' },
};
const BINARY = { mimetype: 'application/octet-stream', filetype: 'binary', pretty_type: 'Binary' };

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/** The file object alone, without the stand-in's bookkeeping (what Slack's responses carry). */
export const fileObject = ({ content: _c, uploaded: _u, completed: _d, ...file }: StandInFile): FileObject =>
  file;

export const createFileState = (deps: {
  readonly clock: Clock;
  readonly ids: Ids;
  readonly workspace: Workspace;
  /** Where `url_private` points (the stand-in's own origin). */
  readonly origin: () => string;
}): FileState => {
  const { clock, ids, workspace } = deps;
  let files = new Map<string, Writable<StandInFile>>();

  return {
    reserve({ filename, length }) {
      const id = ids.next('F', (candidate) => files.has(candidate));
      const created = Math.floor(clock.now().getTime() / 1000);
      const url = `${deps.origin()}/files/${id}/${encodeURIComponent(filename)}`;
      const file: Writable<StandInFile> = {
        id,
        created,
        timestamp: created,
        name: filename,
        title: filename,
        ...(TYPES[extname(filename).toLowerCase()] ?? BINARY),
        user: workspace.bot.userId,
        size: length,
        mode: 'hosted',
        is_external: false,
        is_public: false,
        url_private: url,
        url_private_download: `${url}?download=1`,
        permalink: `https://${workspace.domain}.slack.com/files/${workspace.bot.userId}/${id}/${filename}`,
        channels: [],
        content: Buffer.alloc(0),
        uploaded: false,
        completed: false,
      };
      files.set(id, file);
      return { ...file };
    },
    receive(fileId, content) {
      const file = files.get(fileId);
      if (file === undefined || file.completed) return false;
      file.content = content;
      file.size = content.length;
      file.uploaded = true;
      return true;
    },
    complete(fileId, title, channels) {
      const file = files.get(fileId);
      if (file === undefined || !file.uploaded) throw new MethodError('file_not_found');
      file.completed = true;
      if (title !== undefined) file.title = title;
      file.channels = [...new Set([...file.channels, ...channels])];
      file.is_public = channels.length > 0;
      return { ...file };
    },
    get(fileId) {
      const file = files.get(fileId);
      return file === undefined ? undefined : { ...file };
    },
    list: () => [...files.values()].map((file) => ({ ...file })),
    reset() {
      files = new Map();
    },
  };
};
