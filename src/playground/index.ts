export { createPlayground, BASE as PLAYGROUND_PATH } from './playground.ts';
export type { PlaygroundHandler, PlaygroundLog, PlaygroundOptions, PlaygroundState } from './playground.ts';
export type { PlaygroundDelivery } from './delivery.ts';
export { workspaceFromConfig, nameFromId, PLAYGROUND_TEAM, DEFAULT_CHANNEL } from './workspace.ts';
export type { Person, PlaygroundWorkspace } from './workspace.ts';
export { createPlaygroundGuard, newPlaygroundToken } from './guard.ts';
export type { PlaygroundGuard, PlaygroundGuardOptions } from './guard.ts';
