import type { SlackDelivery } from '../slack-stand-in/index.ts';
import { SlackDeliveryError } from '../slack-stand-in/index.ts';
import { SUPPORTED_ELEMENTS } from '../slack-stand-in/delivery/elements.ts';

export type { Delivered } from '../slack-stand-in/index.ts';

/**
 * The part of the Slack delivery (`createSlackDelivery`) the playground uses: each call posts a signed
 * request to the app's /slack/events as Slack would, and plays its consequences on the stand-in.
 */
export type PlaygroundDelivery = Pick<
  SlackDelivery,
  'command' | 'act' | 'submitView' | 'closeView' | 'event'
>;

/** The delivery refused to make a request Slack could not have made (unknown element, option, user…). */
export const isDeliveryRefusal = (error: unknown): error is SlackDeliveryError =>
  error instanceof SlackDeliveryError;

/** Element types whose values the delivery can put in a view submission. */
export const DELIVERABLE_ELEMENTS: ReadonlySet<string> = new Set(SUPPORTED_ELEMENTS);
