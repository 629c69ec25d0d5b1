import type { TemplateVariable } from '../../config/template.ts';
import type { MonitorMeasurement } from '../../domain/hotfix/events.ts';
import type { Masker } from './mask.ts';

export type { Masker } from './mask.ts';

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface StepDefaults {
  readonly runTimeoutMs: number;
  readonly httpTimeoutMs: number;
  /** Between SIGTERM and SIGKILL of a run step's process group. */
  readonly killGraceMs: number;
}

/** What a probe needs: monitors and checklists know only some template variables. */
export interface ProbeContext {
  /** A variable missing here makes a template using it fail the probe with a clear error. */
  readonly vars: Readonly<Partial<Record<TemplateVariable, string>>>;
  /** Aborted on worker shutdown or pipeline abort: stop now, kill the process group. */
  readonly signal: AbortSignal;
  readonly masker: Masker;
  /** The worker's environment (the only source for secret_env values and PATH); never process.env inside. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Default timeout per kind when the step has none; grace between SIGTERM and SIGKILL. */
  readonly defaults: StepDefaults;
  /** Injected so tests need not wait real time between attempts (default: setTimeout honoring signal). */
  readonly sleep?: Sleep;
}

export interface StepContext extends ProbeContext {
  /** Values for every template variable ('' where unknown). */
  readonly vars: Readonly<Record<TemplateVariable, string>>;
  /** The domain attempt number of this step (1 first; +1 each time a crashed run is resumed): HOTFIX_STEP_ATTEMPT. */
  readonly attempt: number;
  /**
   * `run` and `http` steps are described, not executed: they succeed with what would have run as their output
   * (the playground rehearsing a team's own hotfix.yml). `check` steps, probes and monitors still run.
   */
  readonly dryRun?: boolean;
}

export type StepOutcome =
  | {
      readonly ok: true;
      readonly output: string;
      readonly durationMs: number;
      readonly detail: string;
      /** Nothing ran: the playground's dry run of a team's config; the output says what would have. */
      readonly dryRun?: true;
      /** An HTTP probe's last response: what a monitor round records. */
      readonly measurement?: MonitorMeasurement;
    }
  | {
      readonly ok: false;
      readonly output: string;
      readonly durationMs: number;
      readonly error: string;
      readonly measurement?: MonitorMeasurement;
    };
