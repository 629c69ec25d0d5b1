import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/*
 * The Prometheus metrics of one thread (prom-client's registries are per thread). Every label takes its value
 * from a closed set: a value outside it is counted as `other`, so no id, name or free text ever becomes a series.
 */

export type Platform = 'slack' | 'teams';

/** What a command came to: appended events, repeated an action already taken, or appended nothing because… */
export type CommandOutcome = 'recorded' | 'repeat' | 'refused' | 'conflict' | 'failed';

export type StepOutcome = 'succeeded' | 'failed' | 'refused' | 'aborted' | 'interrupted';

/** Request kinds the fronts ack, as labels; anything else is `other`. */
const ACK_KINDS: Readonly<Record<Platform, ReadonlySet<string>>> = {
  slack: new Set([
    'command',
    'block_actions',
    'view_submission',
    'view_closed',
    'block_suggestion',
    'shortcut',
    'message_action',
    'event_callback',
    'url_verification',
  ]),
  teams: new Set([
    'message',
    'conversationUpdate',
    'messageReaction',
    'installationUpdate',
    'invoke adaptiveCard/action',
    'invoke task/fetch',
    'invoke task/submit',
    'invoke composeExtension/submitAction',
    'invoke composeExtension/fetchTask',
  ]),
};

/** The chat API methods the product calls (Bolt's included); anything else is `other`. */
const CHAT_METHODS: Readonly<Record<Platform, ReadonlySet<string>>> = {
  slack: new Set([
    'auth.test',
    'chat.postMessage',
    'chat.postEphemeral',
    'chat.update',
    'chat.delete',
    'chat.getPermalink',
    'conversations.create',
    'conversations.invite',
    'conversations.info',
    'conversations.join',
    'conversations.members',
    'files.getUploadURLExternal',
    'files.completeUploadExternal',
    'users.info',
    'users.lookupByEmail',
    'views.open',
    'views.push',
    'views.update',
    'views.publish',
    'apps.connections.open',
    'response_url',
  ]),
  teams: new Set(['send', 'create thread', 'reply', 'update', 'member lookup']),
};

const STEP_KINDS: ReadonlySet<string> = new Set(['run', 'http', 'check', 'manual', 'wait']);

/** A phase label: the domain's phases are a closed set of lower-case words. */
const PHASE = /^[a-z_]{1,30}$/;
/** A command type or rule code: the domain's closed unions, PascalCase or snake_case words. */
const WORD = /^[A-Za-z_]{1,40}$/;

const within = (set: ReadonlySet<string>, value: string) => (set.has(value) ? value : 'other');
const word = (value: string | undefined) => (value !== undefined && WORD.test(value) ? value : 'other');

/** An HTTP status as a label (`429`), or what happened instead: `timeout`, `error`. */
export const statusLabel = (status: number | string | undefined): string => {
  if (typeof status === 'number')
    return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : 'error';
  return status === 'timeout' ? 'timeout' : 'error';
};

/**
 * The Web API method of a Slack request URL (`…/api/chat.update` → `chat.update`; one not ours is `other`),
 * or `response_url` for an answer posted to an interaction's response URL (Bolt's `respond`).
 */
export const slackMethodOf = (url: string): string => {
  const match = /\/api\/([A-Za-z]+\.[A-Za-z.]+)(?:[?#]|$)/.exec(url);
  if (match === null) return /\/(commands|actions|response)\//.test(url) ? 'response_url' : 'other';
  return within(CHAT_METHODS.slack, match[1] ?? '');
};

/** Open hotfixes by phase, as read at a scrape (at most `limit` of them are looked at). */
export interface OpenHotfixes {
  readonly total: number;
  readonly byPhase: Readonly<Record<string, number>>;
}

/** What is read from Redis when Prometheus scrapes (never on a hot path). */
export interface ScrapeSources {
  /** BullMQ's counts per queue. */
  jobCounts(): Promise<Readonly<Record<string, { waiting: number; active: number; delayed: number }>>>;
  openHotfixes(): Promise<OpenHotfixes>;
  /** Per configured service: whether its deploy lock is held. */
  locksHeld(): Promise<Readonly<Record<string, boolean>>>;
}

export interface MetricsOptions {
  /** Node's process metrics (CPU, memory, event loop, GC): once per process, so not in a second thread. */
  readonly processMetrics: boolean;
  /** The services hotfix.yml names: the only values of a `service` label. */
  readonly services: () => Iterable<string>;
}

const ACK_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5];
const STEP_BUCKETS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];
const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900];

/** The metrics of one thread, with the recorders the layers are handed (as plain functions). */
export const createMetrics = (options: MetricsOptions) => {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const service = (name: string) => within(new Set(options.services()), name);

  const ack = new Histogram({
    name: 'hotfix_ack_duration_seconds',
    help: 'Time from a chat request arriving to its answer (Slack gives up after 3 s, Teams after about 5 s), by platform and request kind.',
    labelNames: ['platform', 'kind'],
    buckets: ACK_BUCKETS,
    registers,
  });
  const commands = new Counter({
    name: 'hotfix_commands_total',
    help: 'Commands handled, by command type and outcome (recorded, repeat, refused, conflict, failed).',
    labelNames: ['type', 'outcome'],
    registers,
  });
  const refusals = new Counter({
    name: 'hotfix_refusals_total',
    help: 'Commands refused by a rule, by the rule code.',
    labelNames: ['code'],
    registers,
  });
  const steps = new Histogram({
    name: 'hotfix_step_duration_seconds',
    help: 'Pipeline step durations, by service, step kind and outcome.',
    labelNames: ['service', 'kind', 'outcome'],
    buckets: STEP_BUCKETS,
    registers,
  });
  const lag = new Histogram({
    name: 'hotfix_notifier_lag_seconds',
    help: 'Time from an event to its being visible in chat, by platform and what showed it (card: the card redrawn with it; line: its thread line posted).',
    labelNames: ['platform', 'what'],
    buckets: LAG_BUCKETS,
    registers,
  });
  const calls = new Counter({
    name: 'hotfix_chat_api_calls_total',
    help: 'HTTP calls to the chat platforms, by platform, API method and status (429: rate limited; timeout, error: no answer).',
    labelNames: ['platform', 'method', 'status'],
    registers,
  });

  return {
    registry,
    /** A front answered a request of `kind` after `seconds`. */
    ack: (platform: Platform, kind: string, seconds: number) =>
      ack.observe({ platform, kind: within(ACK_KINDS[platform], kind) }, seconds),
    command: (type: string, outcome: CommandOutcome, code?: string) => {
      commands.inc({ type: word(type), outcome });
      if (outcome === 'refused') refusals.inc({ code: word(code) });
    },
    step: (step: { service: string; kind: string; outcome: StepOutcome; seconds: number }) =>
      steps.observe(
        { service: service(step.service), kind: within(STEP_KINDS, step.kind), outcome: step.outcome },
        step.seconds,
      ),
    /** `what`: `card` (drawn with the latest event) or `line` (an event's thread line). */
    notifierLag: (platform: Platform, what: 'card' | 'line', seconds: number) =>
      lag.observe({ platform, what }, Math.max(0, seconds)),
    chatCall: (platform: Platform, method: string, status: number | string | undefined) =>
      calls.inc({ platform, method: within(CHAT_METHODS[platform], method), status: statusLabel(status) }),

    /**
     * Registers the gauges read from Redis at each scrape: queue counts, open hotfixes by phase, deploy locks
     * held, and whether the read worked (`hotfix_redis_up`). One thread per process does this.
     */
    watch: (sources: ScrapeSources, onError: (error: unknown) => void) => {
      /**
       * One read for the gauges of a scrape: prom-client starts every metric's collect in one go, so each
       * awaits the read in flight; the next scrape reads again.
       */
      let reading: Promise<Awaited<ReturnType<typeof readAll>> | undefined> | undefined;
      const readAll = async () => {
        const [jobs, open, locks] = await Promise.all([
          sources.jobCounts(),
          sources.openHotfixes(),
          sources.locksHeld(),
        ]);
        return { jobs, open, locks };
      };
      const read = () => {
        reading ??= readAll()
          .catch((error: unknown) => {
            onError(error);
            return undefined;
          })
          .finally(() => (reading = undefined));
        return reading;
      };
      new Gauge({
        name: 'hotfix_redis_up',
        help: 'Whether the scrape-time read of Redis (queues, open hotfixes, locks) worked: 1, or 0.',
        registers,
        async collect() {
          this.set((await read()) === undefined ? 0 : 1);
        },
      });
      new Gauge({
        name: 'hotfix_queue_jobs',
        help: 'BullMQ jobs by queue and state (waiting, active, delayed), read at scrape.',
        labelNames: ['queue', 'state'],
        registers,
        async collect() {
          this.reset();
          const values = await read();
          for (const [queue, counts] of Object.entries(values?.jobs ?? {}))
            for (const state of ['waiting', 'active', 'delayed'] as const)
              this.set({ queue, state }, counts[state]);
        },
      });
      new Gauge({
        name: 'hotfix_open_hotfixes',
        help: 'Hotfixes started and not closed or cancelled, by phase (`unread` beyond the number looked at per scrape), read at scrape.',
        labelNames: ['phase'],
        registers,
        async collect() {
          this.reset();
          const open = (await read())?.open;
          if (open === undefined) return;
          let counted = 0;
          for (const [phase, count] of Object.entries(open.byPhase)) {
            this.inc({ phase: PHASE.test(phase) ? phase : 'other' }, count);
            counted += count;
          }
          if (open.total > counted) this.set({ phase: 'unread' }, open.total - counted);
        },
      });
      new Gauge({
        name: 'hotfix_deploy_locks_held',
        help: 'Deploy locks held, by service (1 held, 0 free), read at scrape.',
        labelNames: ['service'],
        registers,
        async collect() {
          this.reset();
          const locks = (await read())?.locks;
          for (const [name, held] of Object.entries(locks ?? {}))
            this.inc({ service: service(name) }, held ? 1 : 0);
        },
      });
    },
  };
};

export type Metrics = ReturnType<typeof createMetrics>;

export const CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
