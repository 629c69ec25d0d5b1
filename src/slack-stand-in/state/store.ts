import type { Clock, RecordedCall, Workspace } from '../types.ts';
import type { Events } from './events.ts';
import { createEvents } from './events.ts';
import type { FileState } from './files.ts';
import { createFileState } from './files.ts';
import type { Ids } from './ids.ts';
import { createIds } from './ids.ts';
import type { MessageState } from './messages.ts';
import { createMessageState } from './messages.ts';
import type { ViewState } from './views.ts';
import { createViewState } from './views.ts';
import type { WorkspaceState } from './workspace.ts';
import { createWorkspaceState } from './workspace.ts';

/** Everything the stand-in remembers, behind one `reset`. */
export interface State {
  readonly clock: Clock;
  readonly ids: Ids;
  readonly events: Events;
  readonly workspace: WorkspaceState;
  readonly messages: MessageState;
  readonly views: ViewState;
  readonly files: FileState;
  /** Recorded calls, oldest first (at most `maxRecordedCalls`); the array is kept, so a reference stays live. */
  readonly calls: RecordedCall[];
  record(call: RecordedCall): void;
  reset(): void;
}

export const createState = (deps: {
  readonly workspace: Workspace;
  readonly clock: Clock;
  readonly triggerTtlMs: number;
  readonly maxRecordedCalls: number;
  readonly origin: () => string;
}): State => {
  const { clock } = deps;
  const ids = createIds();
  const events = createEvents();
  const workspace = createWorkspaceState({ workspace: deps.workspace, ids, clock });
  const messages = createMessageState({ clock, events, workspace: deps.workspace });
  const views = createViewState({
    clock,
    events,
    ids,
    workspace: deps.workspace,
    triggerTtlMs: deps.triggerTtlMs,
  });
  const files = createFileState({ clock, ids, workspace: deps.workspace, origin: deps.origin });
  const calls: RecordedCall[] = [];
  return {
    clock,
    ids,
    events,
    workspace,
    messages,
    views,
    files,
    calls,
    record(call) {
      calls.push(call);
      if (calls.length > deps.maxRecordedCalls) calls.splice(0, calls.length - deps.maxRecordedCalls);
      events.emit('call', call);
    },
    reset() {
      calls.length = 0;
      workspace.reset();
      messages.reset();
      views.reset();
      files.reset();
    },
  };
};
