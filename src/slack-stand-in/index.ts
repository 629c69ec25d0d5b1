export { createSlackStandIn } from './stand-in.ts';
export type { AckResult, ReplyResult, SlackStandIn, StandInViews } from './stand-in.ts';
export type { SlackStandInOptions } from './options.ts';
export { LIMITS as BLOCK_KIT_LIMITS, checkBlocks, checkView } from './block-kit.ts';
export { RESPONSE_URL_TTL_MS, RESPONSE_URL_USES } from './response-url.ts';
export type * from './types.ts';
export { SlackDeliveryError, createSlackDelivery } from './deliver.ts';
export type { Delivered, Selection, SentRequest, SlackDelivery, SlackDeliveryOptions } from './deliver.ts';
