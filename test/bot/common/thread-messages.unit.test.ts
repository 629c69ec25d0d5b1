import { describe, expect, it } from 'vitest';
import type { CommandEvent, LineChoice } from '../../../src/bot/common/thread.ts';
import { lineCallOf, mergeCalls, promptCallOf, threadMessage } from '../../../src/bot/common/thread.ts';
import { renderThreadMessage as slackMessage } from '../../../src/bot/slack/blocks/thread.ts';
import { checkBlockKit } from '../../../src/bot/slack/blocks/limits.ts';
import { renderThreadMessage as teamsMessage } from '../../../src/bot/teams/cards/thread.ts';
import type { Call } from '../../../src/domain/hotfix/attention.ts';
import { callOf, wantedIn } from '../../../src/domain/hotfix/attention.ts';
import type { HotfixCommand } from '../../../src/domain/hotfix/commands.ts';
import type { HotfixEvent } from '../../../src/domain/hotfix/events.ts';
import type { HotfixState } from '../../../src/domain/hotfix/state.ts';
import { evolve } from '../../../src/domain/hotfix/state.ts';
import { minutes, people, policy, worker } from '../../domain/fixtures/policy.ts';
import { play } from '../../domain/given.ts';
import { cmd, DEPLOY_STEPS, failedVerification } from '../../domain/scenarios.ts';
import { textOf } from '../slack/blocks/helpers.ts';
import { validateCard } from '../teams/cards/validate-card.ts';

const quiet: LineChoice = { stepLines: false };
const everyLine: LineChoice = { stepLines: true };
/** As both surfaces call: a manual step's start calls on nobody (its prompt mentions the confirmers). */
const call = (item: CommandEvent): Call | null => lineCallOf(item, policy);

/** A history cut into its commands' events, each with the states around it, as the notifier sees them. */
const commandsOf = (commands: readonly (readonly [HotfixCommand, Date?])[], history: HotfixEvent[] = []) => {
  let state = play([], {}, history).state;
  let all = history;
  return commands.map((step) => {
    const next = play([step], {}, all);
    const events = next.history.slice(all.length);
    all = next.history;
    const items: { event: HotfixEvent; before: HotfixState; after: HotfixState }[] = [];
    for (const event of events) {
      const before = state;
      state = evolve(state, event);
      items.push({ event, before, after: state });
    }
    return items.map((i) => ({ ...i, decided: state }));
  });
};

/**
 * The messages a run of commands posts, as the notifier drives a surface: each event with the rest of its
 * command not yet carried by a message; a message carries the whole rest. Each message as its event types.
 */
const messagesOf = (
  commands: readonly CommandEvent[][],
  choice: LineChoice,
  callFor: (item: CommandEvent) => Call | null = call,
) =>
  commands.flatMap((command) => {
    const out: string[][] = [];
    let covered = -1;
    command.forEach((_, i) => {
      const message = i <= covered ? null : threadMessage(command.slice(i), callFor, choice);
      if (message) {
        out.push(message.lines.map((l) => l.event.type));
        covered = command.length - 1;
      }
    });
    return out;
  });

/** Start, approvals, ticks, deploy and the lock: how every run here begins. */
const untilLock = (): (readonly [HotfixCommand, Date?])[] => [
  [cmd.start()],
  [cmd.approve(people.tech1, 'technical')],
  [cmd.approve(people.manager, 'management')],
  ...[...policy.checklists.code_readiness, ...policy.checklists.environment_readiness].map(
    (item) => [cmd.tick(item)] as const,
  ),
  [cmd.deploy()],
  [cmd.grant()],
];

/** Start to a closed monitoring window, command by command (the flow of the domain's scenarios). */
const wholeRun = () =>
  commandsOf([
    ...untilLock(),
    ...Object.values(DEPLOY_STEPS).flatMap((step) =>
      step === DEPLOY_STEPS.manual
        ? [[cmd.startStep(step)] as const, [cmd.confirm(step, people.biz), minutes(5)] as const]
        : [[cmd.startStep(step)] as const, [cmd.succeed(step)] as const],
    ),
    [{ type: 'CloseMonitoringWindow', by: worker }, minutes(40)],
  ]);

describe('which lines go in which thread message', () => {
  it('quiet (the default): step starts and successes, ticks and the lock are left to the card', () => {
    const messages = messagesOf(wholeRun(), quiet);
    expect(messages).toEqual([
      ['HotfixStarted'],
      ['PlanApproved'],
      ['PlanApproved'],
      ['DeployRequested'],
      ['StagePassed'],
      ['StagePassed', 'GatePassed'],
      ['StagePassed', 'GatePassed', 'MonitoringStarted'],
      ['MonitoringWindowClosed'],
    ]);
    const types = messages.flat();
    for (const cardOnly of [
      'ChecklistItemTicked',
      'LockGranted',
      'PipelineStarted',
      'StepSucceeded',
      'ManualStepConfirmed',
    ])
      expect(types).not.toContain(cardOnly);
    // A manual step's start has no line either: its prompt is where the confirmers are mentioned.
    expect(types).not.toContain('StepStarted');
    expect(
      promptCallOf(
        wholeRun()
          .flat()
          .find((i) => i.event.type === 'StepStarted' && i.event.step === DEPLOY_STEPS.manual)!,
        policy,
      )?.ask,
    ).toBe('confirm');
    // The plan is started with a call on its approvers: a line, since that is where they are mentioned.
    expect(types).toContain('HotfixStarted');
    for (const kept of [
      'PlanApproved',
      'DeployRequested',
      'StagePassed',
      'GatePassed',
      'MonitoringWindowClosed',
    ])
      expect(types).toContain(kept);
    // Were the start to call on them in its line, it would have one: a line is where people are mentioned.
    const plainCall = (item: CommandEvent) => callOf(item.event, item, policy);
    expect(messagesOf(wholeRun(), quiet, plainCall)).toHaveLength(messages.length + 1);
    expect(messages.length).toBeLessThan(messagesOf(wholeRun(), everyLine).length);
  });

  it("quiet still shows a dry run's success: its output is all there is to see of the step", () => {
    const dry = (step: string): HotfixCommand => ({
      type: 'SucceedStep',
      runId: 'deploy-1',
      step,
      attempt: 1,
      durationMs: 5,
      output: 'dry run: not executed\nwould run: "./deploy.sh"',
      dryRun: true,
      by: worker,
    });
    const [, , ...runs] = commandsOf([
      ...untilLock(),
      [cmd.startStep(DEPLOY_STEPS.backup)],
      [dry(DEPLOY_STEPS.backup)],
    ]);
    const messages = messagesOf(runs, quiet);
    expect(messages.at(-1)).toEqual(['StepSucceeded', 'StagePassed']);
    expect(messages.flat()).not.toContain('StepStarted');
  });

  it('step_lines: every line comes back, still one message per command', () => {
    const commands = wholeRun();
    const messages = messagesOf(commands, everyLine);
    const types = messages.flat();
    for (const back of [
      'ChecklistItemTicked',
      'LockGranted',
      'StepStarted',
      'StepSucceeded',
      'ManualStepConfirmed',
    ])
      expect(types).toContain(back);
    // No line is lost or doubled: every event with a line is in exactly one message.
    const withLines = commands.flat().filter((item) => threadMessage([item], call, everyLine) !== null);
    expect(types).toEqual(withLines.map((item) => item.event.type));
    expect(messages.length).toBeLessThan(withLines.length);
  });

  it("a message is posted with its command's first event worth a line, which may be a later event", () => {
    const command = wholeRun().find((c) => c.some((item) => item.event.type === 'StagePassed'))!;
    const first = command.findIndex((item) => threadMessage([item], call, quiet) !== null);
    for (const [i] of command.entries())
      expect(threadMessage(command.slice(i), call, quiet) !== null).toBe(i === first);
  });

  it('an event whose line an earlier message carries (an empty rest of its command) posts none', () => {
    expect(threadMessage([], call, quiet)).toBeNull();
    expect(threadMessage([], call, everyLine)).toBeNull();
  });

  it('a failed step keeps its line and its output', () => {
    const { history } = failedVerification();
    const failing = commandsOf(
      [[cmd.fail(DEPLOY_STEPS.check)]],
      history.slice(
        0,
        history.findIndex((e) => e.type === 'StepFailed'),
      ),
    );
    const message = threadMessage(failing[0]!, call, quiet);
    expect(message?.lines.map((l) => l.event.type)).toContain('StepFailed');
    expect(message?.lines.find((l) => l.event.type === 'StepFailed')?.line.output).not.toBeNull();
  });

  it('calls: one per distinct ask, each human once', () => {
    const technical = wantedIn(policy, ['technical']);
    const management = wantedIn(policy, ['management']);
    const merged = mergeCalls([
      { ask: 'approve', people: technical },
      null,
      { ask: 'sign_off', people: [...technical, ...management] },
      { ask: 'approve', people: [...management, ...technical] },
    ]);
    // Lee leads and manages: called once, to approve; Mia only manages: called to sign off.
    expect(merged).toEqual([
      { ask: 'approve', people: technical },
      { ask: 'sign_off', people: management.filter((m) => !technical.some((t) => t.key === m.key)) },
    ]);
  });

  it('both platforms draw a message of several lines within their limits, who is called under the last', () => {
    const command = wholeRun().find((c) => c.some((item) => item.event.type === 'GatePassed'))!;
    const message = threadMessage(
      command.slice(command.findIndex((item) => threadMessage([item], call, quiet) !== null)),
      call,
      quiet,
    )!;
    const withCall = {
      ...message,
      calls: [{ ask: 'sign_off' as const, people: wantedIn(policy, ['business']) }],
    };
    const slack = slackMessage(withCall, { timezone: 'UTC' });
    expect(checkBlockKit({ kind: 'message', ...slack })).toEqual([]);
    expect(slack.text.split('\n')).toHaveLength(message.lines.length);
    expect(textOf(slack.blocks)).toMatch(
      /stage passed[\s\S]*gate passed[^\n]*\n👋 Waiting for your sign-off: <@U0BIZ1>$/i,
    );
    const teams = teamsMessage(withCall, { timezone: 'UTC' });
    expect(validateCard(teams.card)).toEqual([]);
    expect(JSON.stringify(teams.card.body)).toContain('Waiting for your sign-off');
  });
});
