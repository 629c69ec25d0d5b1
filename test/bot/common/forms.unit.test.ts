import { describe, expect, it } from 'vitest';
import type { FormValues } from '../../../src/bot/common/forms.ts';
import {
  CANCEL_FORM_FIELDS,
  ISSUE_FORM_FIELDS,
  LESSONS_FORM_FIELDS,
  parseIssueForm,
  parseLessonsForm,
  parsePlanForm,
  parseReasonForm,
  parseRollbackForm,
  PLAN_FIELDS,
  planFormFields,
  planFormValues,
  REASON_FIELDS,
  REJECT_FORM_FIELDS,
  ROLLBACK_FORM_FIELDS,
} from '../../../src/bot/common/forms.ts';
import {
  DEFAULT_PLAN_FIELD_RULES,
  PLAN_FIELD_MAX_LENGTH,
  planFingerprint,
} from '../../../src/domain/hotfix/plan.ts';
import type { Plan } from '../../../src/domain/hotfix/plan.ts';
import { personsPolicy } from '../../domain/fixtures/persons.ts';
import { plan, policy } from '../../domain/fixtures/policy.ts';

const services = Object.keys(policy.services);
const F = PLAN_FIELDS;
const AAD = '8f2c1a3e-4b5d-4e6f-9a7b-0c1d2e3f4a5b';

const teamsPlan: Plan = {
  ...plan,
  changes: { code: ['a.ts', 'b.ts'], database: [], config: ['FLAG=1'] },
  timeline: {
    start: '2026-11-26T03:30:00.000Z',
    durationEstimate: '45m',
    targetCompletion: '2026-11-26T04:15:00.000Z',
    verificationPeriod: '30m',
  },
  resources: {
    technical: [{ platform: 'teams', id: AAD, name: 'Tara Tech' }],
    support: [],
    business: [],
    management: [],
  },
};

const values = (over: Record<string, string | readonly string[] | undefined> = {}): FormValues => ({
  ...planFormValues(teamsPlan, 'teams'),
  ...over,
});

describe('the plan form as data', () => {
  it('lists every plan field once, under its heading, with services from config', () => {
    const fields = planFormFields({ services, people: policy.people });
    expect(fields.map((f) => f.id)).toEqual(Object.values(PLAN_FIELDS));
    expect(fields.filter((f) => f.required).map((f) => f.id)).toEqual([
      F.issueId,
      F.version,
      F.summary,
      F.severity,
      F.services,
    ]);
    expect(fields.find((f) => f.id === F.services)?.options).toEqual(
      services.map((s) => ({ value: s, label: s })),
    );
    expect([...new Set(fields.map((f) => f.section))]).toEqual([
      undefined,
      'Rollback and changes',
      'Dependencies',
      'Timeline',
      'People',
      'Risk and communication',
    ]);
    expect(fields.find((f) => f.id === F.riskLevel)?.options?.map((o) => o.value)).toEqual([
      'low',
      'medium',
      'high',
      'critical',
    ]);
    expect(fields.find((f) => f.id === F.resTechnical)).toMatchObject({
      kind: 'people',
      hint: 'hotfix.yml gives the technical role to 4 people.',
    });
    expect(planFormFields({ services }).find((f) => f.id === F.resTechnical)?.hint).toBeUndefined();
  });

  it('puts the essentials first, then a note that the rest is optional, then the optional groups', () => {
    const fields = planFormFields({
      services,
      people: policy.people,
      platforms: { offered: ['slack', 'teams'], checked: ['slack'] },
    });
    const essentials = fields.findIndex((f) => !f.required);
    expect(fields.slice(0, essentials).map((f) => [f.label, f.section])).toEqual([
      ['Issue ID', undefined],
      ['Version', undefined],
      ['Summary', undefined],
      ['Severity', undefined],
      ['Services affected', undefined],
    ]);
    expect(fields.slice(essentials).every((f) => !f.required && f.section !== undefined)).toBe(true);
    // One note, on the first optional field; the previous version opens the rollback group.
    expect(fields.filter((f) => f.divider !== undefined).map((f) => [f.id, f.divider])).toEqual([
      [F.previousVersion, 'Everything below is optional: add it now or later with /hotfix edit.'],
    ]);
    expect(fields[essentials]).toMatchObject({ label: 'Previous version', section: 'Rollback and changes' });
    const groups = (section: string) => fields.filter((f) => f.section === section).map((f) => f.label);
    expect(groups('Rollback and changes')).toEqual([
      'Previous version',
      'Code changes',
      'Database changes',
      'Configuration updates',
    ]);
    expect(groups('People')).toEqual([
      'Technical team',
      'Support team',
      'Business users',
      'Management oversight',
    ]);
    expect(groups('Chat')).toEqual(['Show it in']);
    // A group's fields are together: each heading appears in one run.
    const runs = fields.map((f) => f.section).filter((s, i, all) => s !== all[i - 1]);
    expect(runs).toEqual([...new Set(runs)]);
    expect(planFormFields({ services, editCommand: '@hotfix edit' }).find((f) => f.divider)?.divider).toBe(
      'Everything below is optional: add it now or later with @hotfix edit.',
    );
  });

  it('counts a person with a Slack and a Teams id once in the people hint (persons form)', () => {
    const hint = planFormFields({ services: ['api'], people: personsPolicy.people }).find(
      (f) => f.id === F.resTechnical,
    )?.hint;
    // dana, tara, theo, lee and kim: nine platform ids, five people.
    expect(hint).toBe('hotfix.yml gives the technical role to 5 people.');
  });

  it('the small forms: one reason for reject and cancel, a trigger for rollback, a kind for issues', () => {
    expect(REJECT_FORM_FIELDS.map((f) => f.id)).toEqual([REASON_FIELDS.reason]);
    expect(CANCEL_FORM_FIELDS.map((f) => f.id)).toEqual([REASON_FIELDS.reason]);
    expect(ROLLBACK_FORM_FIELDS.map((f) => [f.id, f.kind])).toEqual([
      [REASON_FIELDS.trigger, 'select'],
      [REASON_FIELDS.reason, 'multiline'],
    ]);
    expect(ISSUE_FORM_FIELDS[0]).toMatchObject({ kind: 'select', expanded: true });
    expect(LESSONS_FORM_FIELDS[0]).toMatchObject({ maxLength: 3000, required: true });
  });
});

describe('parsePlanForm from flat values', () => {
  it('reads back the plan it prefilled, keeping the people it knew (same hash: nothing voided)', () => {
    const parsed = parsePlanForm(values(), { services, initial: teamsPlan, platform: 'teams' });
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(planFingerprint(parsed.plan)).toBe(planFingerprint(teamsPlan));
  });

  it('takes Teams people, multi-selects as commas, dates as ISO with an offset or unix seconds', () => {
    const parsed = parsePlanForm(
      values({
        [F.services]: 'payments-api,ledger',
        [F.resSupport]: `${AAD},29:1abcDEF`,
        [F.start]: '2026-11-26T04:30:00+01:00',
        [F.targetCompletion]: String(Date.parse('2026-11-26T04:00:00Z') / 1000),
        [F.depExternal]: 'Stripe, Adyen\n\n PayPal ',
      }),
      { services, platform: 'teams' },
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.plan.services).toEqual(['payments-api', 'ledger']);
    expect(parsed.plan.resources.support).toEqual([
      { platform: 'teams', id: AAD },
      { platform: 'teams', id: '29:1abcDEF' },
    ]);
    expect(parsed.plan.timeline.start).toBe('2026-11-26T03:30:00.000Z');
    expect(parsed.plan.timeline.targetCompletion).toBe('2026-11-26T04:00:00.000Z');
    expect(parsed.plan.dependencies.external).toEqual(['Stripe', 'Adyen', 'PayPal']);
  });

  it('answers each bad field under its id, first problem only, in form order', () => {
    const parsed = parsePlanForm(
      values({
        [F.version]: '',
        [F.services]: ['payments-api', 'billing-v0'],
        [F.start]: '2026-11-26T05:00:00Z',
        [F.verificationPeriod]: 'half an hour',
        [F.resSupport]: ['two words'],
        [F.durationEstimate]: 'x'.repeat(51),
      }),
      { services, platform: 'teams' },
    );
    expect(parsed).toEqual({
      ok: false,
      errors: {
        [F.version]: 'Please give the version being deployed.',
        [F.services]: `Unknown service: billing-v0 (configured: ${services.join(', ')}).`,
        [F.durationEstimate]: 'Give the estimate as a duration such as 45m, 2h or 1h30m.',
        [F.verificationPeriod]: 'Expected a duration such as 500ms, 30s, 10m, 2h, 1d or 1h30m.',
        [F.resSupport]: 'Not a Teams user.',
        [F.targetCompletion]: 'Target completion must be after the start.',
      },
    });
    expect(parsed.ok ? [] : Object.keys(parsed.errors)).toEqual([
      F.version,
      F.services,
      F.durationEstimate,
      F.verificationPeriod,
      F.resSupport,
      F.targetCompletion,
    ]);
    expect(parsePlanForm(values({ [F.severity]: 'meh' }), { services, platform: 'teams' })).toEqual({
      ok: false,
      errors: { [F.severity]: 'Pick a severity.' },
    });
  });

  it("refuses a verification period outside the policy's bounds under its field, naming them", () => {
    const bounds = { minMs: 5 * 60_000, maxMs: 24 * 3_600_000 };
    expect(
      parsePlanForm(values({ [F.verificationPeriod]: '999d' }), {
        services,
        platform: 'teams',
        periodBounds: bounds,
      }),
    ).toEqual({
      ok: false,
      errors: { [F.verificationPeriod]: 'The verification period must be between 5m and 1d (got "999d").' },
    });
    const within = parsePlanForm(values({ [F.verificationPeriod]: '2h' }), {
      services,
      platform: 'teams',
      periodBounds: bounds,
    });
    expect(within.ok && within.plan.timeline.verificationPeriod).toBe('2h');
  });

  it('refuses a date that is not one, and the people of the other platform', () => {
    expect(parsePlanForm(values({ [F.start]: 'tomorrow' }), { services, platform: 'teams' })).toEqual({
      ok: false,
      errors: { [F.start]: 'Start: pick a date and time.' },
    });
    expect(parsePlanForm(values({ [F.start]: '12' }), { services, platform: 'teams' })).toEqual({
      ok: false,
      errors: { [F.start]: 'Start: not a valid date.' },
    });
    expect(parsePlanForm(values({ [F.resTechnical]: [AAD] }), { services, platform: 'slack' })).toEqual({
      ok: false,
      errors: { [F.resTechnical]: 'Not a Slack user.' },
    });
  });

  it('takes an ISO date-time only with its offset, and only on a day the month has', () => {
    const start = (value: string) => {
      const parsed = parsePlanForm(values({ [F.start]: value }), { services, platform: 'teams' });
      return parsed.ok ? parsed.plan.timeline.start : parsed.errors[F.start];
    };
    expect(start('2026-11-26T04:30:00+01:00')).toBe('2026-11-26T03:30:00.000Z');
    expect(start('2026-11-26T04:30+0530')).toBe('2026-11-25T23:00:00.000Z');
    expect(start('2026-11-26T03:30:00.000Z')).toBe('2026-11-26T03:30:00.000Z');
    // No offset names no instant: it used to be read in the server's own zone (TZ).
    expect(start('2026-11-26T04:30:00')).toBe('Start: pick a date and time.');
    // It used to roll over into 2 March.
    expect(start('2026-02-30T04:30:00Z')).toBe('Start: pick a date and time.');
  });

  it('holds the templated fields to plan_fields, the defaults or hotfix.yml’s own', () => {
    const hostile = values({ [F.version]: '--upload-pack=touch /tmp/pwned', [F.summary]: '-x fixes it' });
    const parsed = parsePlanForm(hostile, { services, platform: 'teams' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.errors[F.version]).toMatch(/^The version must be letters, digits/);
      expect(parsed.errors[F.summary]).toBe('The summary must be text that does not start with "-".');
    }
    const strict = {
      ...DEFAULT_PLAN_FIELD_RULES,
      version: { pattern: '^\\d+\\.\\d+\\.\\d+$', hint: 'a version such as 2.3.1' },
    };
    expect(
      parsePlanForm(values({ [F.version]: '2.3.1-beta' }), {
        services,
        platform: 'teams',
        planFields: strict,
      }),
    ).toEqual({ ok: false, errors: { [F.version]: 'The version must be a version such as 2.3.1.' } });
  });

  it('takes a duration estimate such as 45m or 1h30m, and refuses words, a minus sign and zero', () => {
    const estimate = (value: string) => {
      const parsed = parsePlanForm(values({ [F.durationEstimate]: value }), { services, platform: 'teams' });
      return parsed.ok ? (parsed.plan.timeline.durationEstimate ?? '') : parsed.errors[F.durationEstimate];
    };
    expect(estimate('45m')).toBe('45m');
    expect(estimate(' 1h30m ')).toBe('1h30m');
    expect(estimate('')).toBe('');
    for (const bad of ['forever', '-5m', '0m', '45 minutes'])
      expect(estimate(bad), bad).toBe('Give the estimate as a duration such as 45m, 2h or 1h30m.');
  });

  it('holds the issue ID to the plan’s one limit, the one /hotfix start <issue-id> uses', () => {
    const issueField = planFormFields({ services, people: policy.people }).find((f) => f.id === F.issueId);
    expect(issueField?.maxLength).toBe(PLAN_FIELD_MAX_LENGTH.issueId);
    expect(parsePlanForm(values({ [F.issueId]: 'I'.repeat(100) }), { services, platform: 'teams' }).ok).toBe(
      true,
    );
    expect(parsePlanForm(values({ [F.issueId]: 'I'.repeat(101) }), { services, platform: 'teams' }).ok).toBe(
      false,
    );
  });

  it('an empty submission names exactly the required fields', () => {
    const parsed = parsePlanForm({}, { services, platform: 'teams' });
    expect(parsed.ok ? [] : Object.keys(parsed.errors)).toEqual([
      F.issueId,
      F.version,
      F.summary,
      F.severity,
      F.services,
    ]);
  });
});

describe('the risk assessment and the communication plan', () => {
  const risky: Plan = {
    ...teamsPlan,
    risk: { level: 'high', assessment: 'Touches the ledger; the backup restores it in 5 minutes.' },
    communicationPlan: 'Status page at start and end; support lead in #support.',
  };

  it('are left out of a plan when the form leaves them empty, so an older plan keeps its hash', () => {
    const parsed = parsePlanForm(values({ [F.riskLevel]: '' }), {
      services,
      initial: teamsPlan,
      platform: 'teams',
    });
    expect(parsed.ok && parsed.plan).not.toHaveProperty('risk');
    expect(parsed.ok && parsed.plan).not.toHaveProperty('communicationPlan');
    if (parsed.ok) expect(planFingerprint(parsed.plan)).toBe(planFingerprint(teamsPlan));
  });

  it('read back what they prefilled, trimmed', () => {
    const parsed = parsePlanForm(
      {
        ...planFormValues(risky, 'teams'),
        [F.communicationPlan]: `  ${risky.communicationPlan ?? ''}\n`,
      },
      { services, initial: risky, platform: 'teams' },
    );
    expect(parsed.ok && parsed.plan.risk).toEqual(risky.risk);
    expect(parsed.ok && parsed.plan.communicationPlan).toBe(risky.communicationPlan);
    if (parsed.ok) expect(planFingerprint(parsed.plan)).toBe(planFingerprint(risky));
  });

  it('a level needs its assessment and an assessment its level; each is said under its field', () => {
    expect(parsePlanForm(values({ [F.riskLevel]: 'critical' }), { services, platform: 'teams' })).toEqual({
      ok: false,
      errors: {
        [F.riskAssessment]: 'Say why the risk is critical: what could go wrong, and how it is contained.',
      },
    });
    expect(
      parsePlanForm(values({ [F.riskAssessment]: 'could lose writes' }), { services, platform: 'teams' }),
    ).toEqual({ ok: false, errors: { [F.riskLevel]: 'Pick a risk level for this assessment.' } });
    expect(
      parsePlanForm(values({ [F.riskLevel]: 'extreme', [F.riskAssessment]: 'x' }), {
        services,
        platform: 'teams',
      }),
    ).toEqual({
      ok: false,
      errors: { [F.riskLevel]: 'Pick a risk level: low, medium, high, critical.' },
    });
    expect(
      parsePlanForm(values({ [F.communicationPlan]: 'y'.repeat(3001) }), { services, platform: 'teams' }),
    ).toEqual({ ok: false, errors: { [F.communicationPlan]: 'Keep it under 3000 characters.' } });
  });
});

describe('the small forms from flat values', () => {
  it('reason: trimmed, required, at most 2000 characters', () => {
    expect(parseReasonForm({ [REASON_FIELDS.reason]: '  too risky ' })).toEqual({
      ok: true,
      reason: 'too risky',
    });
    expect(parseReasonForm({ [REASON_FIELDS.reason]: '   ' })).toEqual({
      ok: false,
      errors: { [REASON_FIELDS.reason]: 'Please give a reason.' },
    });
    expect(parseReasonForm({ [REASON_FIELDS.reason]: 'x'.repeat(2001) })).toEqual({
      ok: false,
      errors: { [REASON_FIELDS.reason]: 'Keep it under 2000 characters.' },
    });
  });

  it('rollback: a trigger a person may give, and a reason', () => {
    expect(
      parseRollbackForm({ [REASON_FIELDS.trigger]: 'data_issue', [REASON_FIELDS.reason]: 'totals' }),
    ).toEqual({ ok: true, trigger: 'data_issue', reason: 'totals' });
    expect(parseRollbackForm({ [REASON_FIELDS.trigger]: 'step_failed' })).toEqual({
      ok: false,
      errors: { [REASON_FIELDS.trigger]: 'Pick a trigger.', [REASON_FIELDS.reason]: 'Please give a reason.' },
    });
  });

  it('issue: an issue unless it says observation; lessons up to 3000 characters', () => {
    expect(parseIssueForm({ [REASON_FIELDS.issueText]: 'slow' })).toEqual({
      ok: true,
      kind: 'issue',
      text: 'slow',
    });
    expect(
      parseIssueForm({ [REASON_FIELDS.issueKind]: 'observation', [REASON_FIELDS.issueText]: 'happy users' }),
    ).toEqual({ ok: true, kind: 'observation', text: 'happy users' });
    expect(parseIssueForm({ [REASON_FIELDS.issueKind]: 'bug', [REASON_FIELDS.issueText]: 'x' })).toEqual({
      ok: false,
      errors: { [REASON_FIELDS.issueKind]: 'Pick issue or observation.' },
    });
    expect(parseLessonsForm({ [REASON_FIELDS.lessons]: 'y'.repeat(3001) })).toEqual({
      ok: false,
      errors: { [REASON_FIELDS.lessons]: 'Keep it under 3000 characters.' },
    });
    expect(parseLessonsForm({ [REASON_FIELDS.lessons]: ['not', 'text'] })).toEqual({
      ok: false,
      errors: { [REASON_FIELDS.lessons]: 'Please give the lesson.' },
    });
  });
});
