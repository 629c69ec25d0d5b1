import type { InputBlock, KnownBlock, ModalView } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { checkView } from '../../../../src/bot/slack/blocks/limits.ts';
import type { ViewStateValues } from '../../../../src/bot/slack/blocks/modals.ts';
import { DEFAULT_PLAN_FIELD_RULES } from '../../../../src/domain/hotfix/plan.ts';
import {
  parseIssueSubmission,
  parseLessonsSubmission,
  parsePlanSubmission,
  parseReasonSubmission,
  parseRollbackSubmission,
  renderAcceptBreachesModal,
  renderCancelModal,
  renderIssueModal,
  renderLessonsModal,
  renderPlanModal,
  renderRejectModal,
  renderRollbackModal,
} from '../../../../src/bot/slack/blocks/modals.ts';
import {
  CALLBACKS,
  INPUT_ACTION,
  parseModalMetadata,
  PLAN_BLOCKS,
  REASON_BLOCKS,
} from '../../../../src/bot/slack/ids.ts';
import type { Plan } from '../../../../src/domain/hotfix/plan.ts';
import { planFingerprint } from '../../../../src/domain/hotfix/plan.ts';
import { plan, policy } from '../../../domain/fixtures/policy.ts';

const services = Object.keys(policy.services);

/** What Slack would send on submit if nobody touched the fields: each input's initial value. */
const valuesFromView = (view: ModalView): ViewStateValues => {
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const block of view.blocks as KnownBlock[]) {
    if (block.type !== 'input') continue;
    const el = (block as InputBlock).element;
    const state: Record<string, unknown> = { type: el.type };
    switch (el.type) {
      case 'plain_text_input':
        state.value = el.initial_value ?? null;
        break;
      case 'static_select':
      case 'radio_buttons':
        state.selected_option = el.initial_option ?? null;
        break;
      case 'multi_static_select':
        state.selected_options = el.initial_options ?? [];
        break;
      case 'datetimepicker':
        state.selected_date_time = el.initial_date_time ?? null;
        break;
      case 'multi_users_select':
        state.selected_users = el.initial_users ?? [];
        break;
    }
    out[block.block_id!] = { [INPUT_ACTION]: state };
  }
  return out;
};

const fullPlan: Plan = {
  ...plan,
  changes: {
    code: ['https://git.example/pr/981', 'src/refunds.ts'],
    database: ['migrations/1.sql'],
    config: [],
  },
  timeline: {
    start: '2026-11-26T03:30:00.000Z',
    durationEstimate: '45m',
    targetCompletion: '2026-11-26T04:15:00.000Z',
    verificationPeriod: '30m',
  },
  risk: { level: 'medium', assessment: 'Refund retries change;\nthe old path stays behind a flag' },
  communicationPlan: 'Status page before and after',
};

const set = (values: ViewStateValues, blockId: string, state: Record<string, unknown>): ViewStateValues => ({
  ...values,
  [blockId]: { [INPUT_ACTION]: { type: 'x', ...state } },
});

describe('the plan modal', () => {
  it('has an input for every plan field, services from config, and fits Slack', () => {
    const view = renderPlanModal({ services, people: policy.people });
    expect(checkView(view)).toEqual([]);
    expect(view.callback_id).toBe(CALLBACKS.plan);
    const ids = (view.blocks as KnownBlock[]).filter((b) => b.type === 'input').map((b) => b.block_id);
    expect(new Set(ids)).toEqual(new Set(Object.values(PLAN_BLOCKS)));
    const servicesBlock = (view.blocks as KnownBlock[]).find(
      (b) => b.block_id === PLAN_BLOCKS.services,
    ) as InputBlock;
    expect(servicesBlock.element).toMatchObject({
      type: 'multi_static_select',
      options: services.map((s) => ({ value: s })),
    });
    expect(parseModalMetadata(view.private_metadata)).toEqual({});
    expect(view.title?.text).toBe('Start a hotfix');
  });

  it('asks for the essentials first, then says the rest is optional, with a header per group', () => {
    const view = renderPlanModal({
      services,
      people: policy.people,
      platforms: { offered: ['slack', 'teams'], checked: ['slack'] },
    });
    expect(checkView(view)).toEqual([]);
    const outline = (view.blocks as KnownBlock[]).map((b) => {
      switch (b.type) {
        case 'input':
          return `${b.optional ? '' : '*'}${b.label.text}`;
        case 'header':
          return `# ${b.text.text}`;
        case 'context':
          return `> ${b.elements.map((e) => ('text' in e ? e.text : '')).join('')}`;
        default:
          return `(${b.type})`;
      }
    });
    expect(outline).toEqual([
      '*Issue ID',
      '*Version',
      '*Summary',
      '*Severity',
      '*Services affected',
      '(divider)',
      '> Everything below is optional: add it now or later with /hotfix edit.',
      '# Rollback and changes',
      'Previous version',
      'Code changes',
      'Database changes',
      'Configuration updates',
      '# Dependencies',
      'Systems',
      'Services',
      'Databases',
      'External APIs',
      '# Timeline',
      'Start',
      'Duration estimate',
      'Target completion',
      'Verification period',
      '# People',
      'Technical team',
      'Support team',
      'Business users',
      'Management oversight',
      '# Risk and communication',
      'Risk level',
      'Risk assessment',
      'Communication plan',
      '# Chat',
      'Show it in',
    ]);
    const element = (id: string) =>
      ((view.blocks as KnownBlock[]).find((b) => b.block_id === id) as InputBlock).element.type;
    expect(element(PLAN_BLOCKS.services)).toBe('multi_static_select');
    for (const id of [
      PLAN_BLOCKS.resTechnical,
      PLAN_BLOCKS.resSupport,
      PLAN_BLOCKS.resBusiness,
      PLAN_BLOCKS.resManagement,
    ])
      expect(element(id)).toBe('multi_users_select');
  });

  it('prefilled for an edit, submits the same plan (same hash: nothing voided)', () => {
    const view = renderPlanModal({ services, people: policy.people, initial: fullPlan, hotfixId: 'HF-1' });
    expect(checkView(view)).toEqual([]);
    expect(parseModalMetadata(view.private_metadata)).toEqual({ h: 'HF-1', p: planFingerprint(fullPlan) });
    expect(view.submit?.text).toBe('Save plan');
    const parsed = parsePlanSubmission(valuesFromView(view), { services, initial: fullPlan });
    expect(parsed).toEqual({ ok: true, plan: fullPlan });
    if (parsed.ok) expect(planFingerprint(parsed.plan)).toBe(planFingerprint(fullPlan));
  });

  it('refuses a value that would reach a step as an option, with the reason under its field', () => {
    let values = valuesFromView(renderPlanModal({ services, initial: fullPlan }));
    values = set(values, PLAN_BLOCKS.version, { value: '--upload-pack=touch /tmp/pwned' });
    values = set(values, PLAN_BLOCKS.issueId, { value: 'INC 42' });
    values = set(values, PLAN_BLOCKS.summary, { value: '-x fixes it' });
    const parsed = parsePlanSubmission(values, { services });
    expect(parsed).toEqual({
      ok: false,
      errors: {
        [PLAN_BLOCKS.version]:
          'The version must be letters, digits, ".", "_", "+" or "-", starting with a letter or digit (e.g. 2.3.1).',
        [PLAN_BLOCKS.issueId]:
          'The issue ID must be letters, digits, ".", "_" or "-", starting with a letter or digit (e.g. INC-42).',
        [PLAN_BLOCKS.summary]: 'The summary must be text that does not start with "-".',
      },
    });
  });

  it('checks the plan fields against the patterns of hotfix.yml when it has its own', () => {
    const semver = { pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$', hint: 'a version such as 2.3.1' };
    const planFields = { ...DEFAULT_PLAN_FIELD_RULES, version: semver, previousVersion: semver };
    let values = valuesFromView(renderPlanModal({ services, initial: { ...fullPlan, version: '2.3.1' } }));
    expect(parsePlanSubmission(values, { services, planFields }).ok).toBe(true);
    values = set(values, PLAN_BLOCKS.version, { value: '2.3.1-beta' });
    expect(parsePlanSubmission(values, { services, planFields })).toEqual({
      ok: false,
      errors: { [PLAN_BLOCKS.version]: 'The version must be a version such as 2.3.1.' },
    });
    // The default pattern takes it.
    expect(parsePlanSubmission(values, { services }).ok).toBe(true);
  });

  it('reads people pickers as Slack people, and lists as lines', () => {
    let values = valuesFromView(renderPlanModal({ services, initial: fullPlan }));
    values = set(values, PLAN_BLOCKS.resTechnical, { selected_users: ['U0NEW', 'U0TECH1'] });
    values = set(values, PLAN_BLOCKS.depExternal, { value: 'Stripe, Adyen\n\n PayPal ' });
    values = set(values, PLAN_BLOCKS.codeChanges, { value: ' a.ts \n\nb.ts\n' });
    const parsed = parsePlanSubmission(values, { services });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.plan.resources.technical).toEqual([
      { platform: 'slack', id: 'U0NEW' },
      { platform: 'slack', id: 'U0TECH1' },
    ]);
    expect(parsed.plan.dependencies.external).toEqual(['Stripe', 'Adyen', 'PayPal']);
    expect(parsed.plan.changes.code).toEqual(['a.ts', 'b.ts']);
  });

  it('returns field errors keyed by block id: missing version, unknown service, bad dates', () => {
    const good = valuesFromView(renderPlanModal({ services, initial: fullPlan }));
    let bad = set(good, PLAN_BLOCKS.version, { value: null });
    bad = set(bad, PLAN_BLOCKS.services, {
      selected_options: [{ value: 'payments-api' }, { value: 'billing-v0' }],
    });
    bad = set(bad, PLAN_BLOCKS.start, { selected_date_time: Date.parse('2026-11-26T05:00:00Z') / 1000 });
    bad = set(bad, PLAN_BLOCKS.verificationPeriod, { value: 'half an hour' });
    bad = set(bad, PLAN_BLOCKS.resSupport, { selected_users: ['not-a-user'] });
    const parsed = parsePlanSubmission(bad, { services });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(Object.keys(parsed.errors).sort()).toEqual(
      [
        PLAN_BLOCKS.version,
        PLAN_BLOCKS.services,
        PLAN_BLOCKS.targetCompletion,
        PLAN_BLOCKS.verificationPeriod,
        PLAN_BLOCKS.resSupport,
      ].sort(),
    );
    expect(parsed.errors[PLAN_BLOCKS.version]).toBe('Please give the version being deployed.');
    expect(parsed.errors[PLAN_BLOCKS.services]).toMatch(/Unknown service: billing-v0/);
    expect(parsed.errors[PLAN_BLOCKS.targetCompletion]).toBe('Target completion must be after the start.');

    const garbage = parsePlanSubmission(set(good, PLAN_BLOCKS.start, { selected_date_time: 12 }), {
      services,
    });
    expect(garbage).toEqual({ ok: false, errors: { [PLAN_BLOCKS.start]: 'Start: not a valid date.' } });
    const empty = parsePlanSubmission({}, { services });
    expect(empty.ok).toBe(false);
    if (!empty.ok)
      expect(Object.keys(empty.errors).sort()).toEqual(
        [
          PLAN_BLOCKS.issueId,
          PLAN_BLOCKS.version,
          PLAN_BLOCKS.summary,
          PLAN_BLOCKS.severity,
          PLAN_BLOCKS.services,
        ].sort(),
      );
  });

  it('warns when a long list or summary does not fit a Slack input', () => {
    const long: Plan = {
      ...fullPlan,
      summary: 's'.repeat(5000),
      changes: { ...fullPlan.changes, code: Array.from({ length: 60 }, (_, i) => `${'x'.repeat(90)}${i}`) },
    };
    const view = renderPlanModal({ services, initial: long, hotfixId: 'HF-1' });
    expect(checkView(view)).toEqual([]);
    const warnings = JSON.stringify(view.blocks.find((b) => b.block_id === 'hotfix_modal:warnings'));
    expect(warnings).toMatch(/Code changes: \d+ lines did not fit/);
    expect(warnings).toMatch(/summary is longer than Slack/);
  });

  it('shows errors passed in at the top', () => {
    const view = renderPlanModal({ services, errors: { plan_version: 'HF-1 already exists.' } });
    expect(JSON.stringify(view.blocks[0])).toMatch(/HF-1 already exists/);
  });
});

describe('the small modals', () => {
  it('reject: carries hotfix, plan hash and role; needs a reason', () => {
    const view = renderRejectModal({
      hotfixId: 'HF-1',
      planHash: 'abc',
      role: 'technical',
      origin: { channel: 'C1', ts: '1.2' },
    });
    expect(checkView(view)).toEqual([]);
    expect(view.callback_id).toBe(CALLBACKS.reject);
    expect(parseModalMetadata(view.private_metadata)).toEqual({
      h: 'HF-1',
      p: 'abc',
      r: 'technical',
      ch: 'C1',
      ts: '1.2',
    });
    const reason = (value: string | null) => ({
      [REASON_BLOCKS.reason]: { [INPUT_ACTION]: { type: 'plain_text_input', value } },
    });
    expect(parseReasonSubmission(reason('  too risky '))).toEqual({ ok: true, reason: 'too risky' });
    expect(parseReasonSubmission(reason('   '))).toEqual({
      ok: false,
      errors: { [REASON_BLOCKS.reason]: 'Please give a reason.' },
    });
    expect(parseReasonSubmission({})).toMatchObject({ ok: false });
  });

  it('rollback: a trigger a person may give and a reason', () => {
    const view = renderRollbackModal({ hotfixId: 'HF-1', reason: 'checkout 500s' });
    expect(checkView(view)).toEqual([]);
    const values = valuesFromView(view);
    expect(parseRollbackSubmission(values)).toEqual({
      ok: false,
      errors: { [REASON_BLOCKS.trigger]: 'Pick a trigger.' },
    });
    const picked = set(values, REASON_BLOCKS.trigger, { selected_option: { value: 'data_issue' } });
    expect(parseRollbackSubmission(picked)).toEqual({
      ok: true,
      trigger: 'data_issue',
      reason: 'checkout 500s',
    });
    const system = set(values, REASON_BLOCKS.trigger, { selected_option: { value: 'failed_step' } });
    expect(parseRollbackSubmission(system).ok).toBe(false);
  });

  it('cancel, issue and lessons', () => {
    const cancel = renderCancelModal({ hotfixId: 'HF-1', planHash: 'abc' });
    expect(checkView(cancel)).toEqual([]);
    expect(cancel.callback_id).toBe(CALLBACKS.cancel);

    const issue = renderIssueModal({ hotfixId: 'HF-1', text: 'refunds slow' });
    expect(checkView(issue)).toEqual([]);
    expect(parseIssueSubmission(valuesFromView(issue))).toEqual({
      ok: true,
      kind: 'issue',
      text: 'refunds slow',
    });
    const observation = set(valuesFromView(issue), REASON_BLOCKS.issueKind, {
      selected_option: { value: 'observation' },
    });
    expect(parseIssueSubmission(observation)).toEqual({
      ok: true,
      kind: 'observation',
      text: 'refunds slow',
    });

    const lessons = renderLessonsModal({ hotfixId: 'HF-1', noted: ['Add a canary'] });
    expect(checkView(lessons)).toEqual([]);
    expect(JSON.stringify(lessons.blocks)).toMatch(/Add a canary/);
    expect(parseLessonsSubmission(set({}, REASON_BLOCKS.lessons, { value: 'Page earlier' }))).toEqual({
      ok: true,
      text: 'Page earlier',
    });
    expect(parseLessonsSubmission({}).ok).toBe(false);
  });

  it('the accept-breaches modal says what the window found: breaches, or checks that never reported', () => {
    const intro = (breaches: number, unobserved: string[]) => {
      const view = renderAcceptBreachesModal({ hotfixId: 'HF-1', role: 'support', breaches, unobserved });
      expect(checkView(view)).toEqual([]);
      return JSON.stringify(view.blocks[0]);
    };
    expect(intro(2, [])).toContain(
      'Monitoring of *HF-1* found 2 breaches. You keep the release as *Support*',
    );
    expect(intro(0, ['payments-api/Health'])).toContain(
      'Monitoring of *HF-1* closed with payments-api/Health never reporting. You keep the release',
    );
    expect(intro(1, ['a/One', 'a/Two', 'a/Three', 'a/Four'])).toContain(
      'closed with 1 breach and a/One, a/Two, a/Three and 1 more never reporting.',
    );
  });
});
