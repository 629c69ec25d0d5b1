import type { StandInView } from '../slack-stand-in/index.ts';

/**
 * The part of the Slack delivery (`createSlackDelivery` in src/slack-stand-in) the playground uses: each call
 * posts a signed request to the app's /slack/events as Slack would, and plays its consequences on the
 * stand-in. Kept structural so a test can pass any object of this shape.
 */
export interface Delivered {
  readonly status: number;
  readonly body: unknown;
  readonly view?: StandInView;
  readonly errors?: Readonly<Record<string, string>>;
  readonly ackError?: { readonly error: string; readonly messages: readonly string[] };
}

export type Selection = readonly string[] | string;

export interface PlaygroundDelivery {
  command(input: { readonly user: string; readonly channel: string; readonly text: string }): Promise<Delivered>;
  act(input: {
    readonly user: string;
    readonly channel?: string;
    readonly ts?: string;
    readonly viewId?: string;
    readonly actionId: string;
    readonly blockId?: string;
    readonly selected?: Selection;
  }): Promise<Delivered>;
  submitView(input: {
    readonly user: string;
    readonly viewId: string;
    readonly values?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  }): Promise<Delivered>;
  closeView(input: { readonly user: string; readonly viewId: string }): Promise<Delivered | undefined>;
  event(input: { readonly user: string; readonly event: Readonly<Record<string, unknown>> }): Promise<Delivered>;
}

/** The delivery refused to make a request Slack could not have made (unknown element, option, user…). */
export const isDeliveryRefusal = (error: unknown): error is Error =>
  error instanceof Error && error.name === 'SlackDeliveryError';
