/**
 * A Bot Connector call that did not do what was asked, as plain data (no SDK type): the HTTP status (undefined
 * when no answer came), Teams' error code (`ConversationBlockedByUser`…), and for a 429 how long to wait. A 202
 * means Teams took the activity but gave no id back.
 */
export class ConnectorCallError extends Error {
  override readonly name = 'ConnectorCallError';
  constructor(
    readonly status: number | undefined,
    readonly code: string | undefined,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
