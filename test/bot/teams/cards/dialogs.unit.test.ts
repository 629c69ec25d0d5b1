import { describe, expect, it } from 'vitest';
import {
  CANCEL_FORM_FIELDS,
  ISSUE_FORM_FIELDS,
  LESSONS_FORM_FIELDS,
  parsePlanForm,
  PLAN_FIELDS,
  planFormFields,
  planFormValues,
  REJECT_FORM_FIELDS,
  ROLLBACK_FORM_FIELDS,
} from '../../../../src/bot/common/forms.ts';
import type { FormField } from '../../../../src/bot/common/forms.ts';
import type { CardElement, CardInput } from '../../../../src/bot/teams/cards/adaptive.ts';
import {
  dateInputId,
  dialogValues,
  renderDialog,
  timeInputId,
} from '../../../../src/bot/teams/cards/dialogs.ts';
import type { DialogOptions } from '../../../../src/bot/teams/cards/dialogs.ts';
import { FORMS, parseActionData, VERBS } from '../../../../src/bot/teams/verbs.ts';
import type { Plan } from '../../../../src/domain/hotfix/plan.ts';
import { plan as basePlan } from '../../../domain/fixtures/policy.ts';
import { largePlan, SERVICES } from '../../common/large-hotfix.ts';
import { readable } from './helpers.ts';
import { validateCard } from './validate-card.ts';

const people = [
  { value: 'aad-1', label: 'Tara Tech' },
  { value: 'aad-2', label: 'Bea Business' },
];
const teamsPlan: Plan = {
  ...basePlan,
  timeline: { ...basePlan.timeline, start: '2026-11-26T03:30:00.000Z' },
  resources: {
    technical: [{ platform: 'teams', id: 'aad-1', name: 'Tara Tech' }],
    support: [],
    business: [],
    management: [],
  },
  risk: { level: 'critical', assessment: 'Rewrites balances' },
  communicationPlan: 'Support lead in #support',
};

const dialog = (fields: readonly FormField[], extra: Partial<DialogOptions> = {}) =>
  renderDialog({
    title: 'Hotfix plan',
    fields,
    people,
    timezone: 'Europe/Paris',
    submitTitle: 'Save',
    context: { form: FORMS.plan },
    ...extra,
  });

const inputs = (body: readonly CardElement[]) =>
  body.filter((e): e is CardInput => e.type.startsWith('Input.'));

describe('Teams dialogs from the shared form fields', () => {
  it('render every form as a valid card: labelled inputs, required ones with an error message', () => {
    const forms: [string, readonly FormField[]][] = [
      ['plan', planFormFields({ services: ['payments-api', 'ledger'] })],
      ['plan, extreme', planFormFields({ services: SERVICES })],
      ['reject', REJECT_FORM_FIELDS],
      ['cancel', CANCEL_FORM_FIELDS],
      ['rollback', ROLLBACK_FORM_FIELDS],
      ['issue', ISSUE_FORM_FIELDS],
      ['lessons', LESSONS_FORM_FIELDS],
    ];
    for (const [label, fields] of forms) {
      const { card } = dialog(fields);
      expect(validateCard(card), label).toEqual([]);
      const shown = inputs(card.body);
      expect(shown.length, label).toBeGreaterThanOrEqual(fields.length);
      for (const input of shown) expect(input, label).toHaveProperty('label');
    }
    const plan = dialog(planFormFields({ services: ['payments-api'] })).card;
    expect(
      inputs(plan.body).find((i) => i.type === 'Input.Text' && i.id === PLAN_FIELDS.issueId),
    ).toMatchObject({
      isRequired: true,
      errorMessage: 'Issue ID is required.',
      maxLength: 100,
    });
    expect(inputs(plan.body).find((i) => i.id === PLAN_FIELDS.services)).toMatchObject({
      type: 'Input.ChoiceSet',
      isMultiSelect: true,
      choices: [{ title: 'payments-api', value: 'payments-api' }],
    });
    expect(inputs(plan.body).find((i) => i.id === PLAN_FIELDS.resTechnical)).toMatchObject({
      type: 'Input.ChoiceSet',
      isMultiSelect: true,
      choices: [
        { title: 'Tara Tech', value: 'aad-1' },
        { title: 'Bea Business', value: 'aad-2' },
      ],
    });
  });

  it('groups the plan dialog as Slack does: essentials, a note that the rest is optional, headings', () => {
    const { card } = dialog(planFormFields({ services: ['payments-api'], editCommand: '@hotfix edit' }));
    expect(validateCard(card)).toEqual([]);
    const outline = card.body.map((e) =>
      e.type === 'TextBlock' ? (e.separator ? `— ${e.text}` : e.text) : `${e.type} ${'id' in e ? e.id : ''}`,
    );
    const at = (line: string) => outline.indexOf(line);
    const note = '— Everything below is optional: add it now or later with @hotfix edit.';
    expect(at(`Input.ChoiceSet ${PLAN_FIELDS.services}`)).toBeLessThan(at(note));
    expect(outline.slice(at(note), at(note) + 3)).toEqual([
      note,
      '**Rollback and changes**',
      `Input.Text ${PLAN_FIELDS.previousVersion}`,
    ]);
    expect(outline.filter((line) => /^(— )?\*\*/.test(line))).toEqual([
      '**Rollback and changes**',
      '— **Dependencies**',
      '— **Timeline**',
      '— **People**',
      '— **Risk and communication**',
    ]);
    // Every input before the note is required, every one after it is not.
    const required = inputs(card.body).map((i) => [i.id, i.isRequired === true] as const);
    expect(required.filter(([, r]) => r).map(([id]) => id)).toEqual([
      PLAN_FIELDS.issueId,
      PLAN_FIELDS.version,
      PLAN_FIELDS.summary,
      PLAN_FIELDS.severity,
      PLAN_FIELDS.services,
    ]);
  });

  it('prefills an edit, and a submission reads back into the same plan through the shared parser', () => {
    const values = planFormValues(teamsPlan, 'teams');
    const { card } = dialog(planFormFields({ services: ['payments-api'] }), {
      values,
      context: { form: FORMS.plan, hotfixId: 'HF-1', planHash: 'abc' },
    });
    expect(validateCard(card)).toEqual([]);
    const byId = new Map(inputs(card.body).map((i) => [i.id, i]));
    expect(byId.get(dateInputId(PLAN_FIELDS.start))).toMatchObject({
      type: 'Input.Date',
      value: '2026-11-26',
    });
    expect(byId.get(timeInputId(PLAN_FIELDS.start))).toMatchObject({ type: 'Input.Time', value: '04:30' });
    // What Teams sends on submit: the button's data with every input's value beside it.
    const submit = card.actions?.[0];
    expect(submit?.type).toBe('Action.Submit');
    const sent: Record<string, unknown> = {
      ...(submit?.type === 'Action.Submit' ? submit.data : {}),
      ...Object.fromEntries([...byId].map(([id, input]) => [id, (input as { value?: string }).value ?? ''])),
    };
    expect(parseActionData(sent)).toEqual({
      verb: VERBS.submitForm,
      form: 'plan',
      hotfixId: 'HF-1',
      planHash: 'abc',
    });
    const parsed = parsePlanForm(
      dialogValues(planFormFields({ services: ['payments-api'] }), sent, 'Europe/Paris'),
      {
        services: ['payments-api'],
        initial: teamsPlan,
        platform: 'teams',
      },
    );
    expect(parsed).toEqual({ ok: true, plan: teamsPlan });
  });

  it('reads a date and time in the configured zone, across a DST change', () => {
    const fields = planFormFields({ services: ['x'] }).filter((f) => f.id === PLAN_FIELDS.start);
    const at = (date: string, time: string) =>
      dialogValues(
        fields,
        { [dateInputId(PLAN_FIELDS.start)]: date, [timeInputId(PLAN_FIELDS.start)]: time },
        'Europe/Paris',
      )[PLAN_FIELDS.start];
    expect(at('2026-11-26', '04:30')).toBe('2026-11-26T03:30:00.000Z');
    expect(at('2026-07-01', '04:30')).toBe('2026-07-01T02:30:00.000Z');
    expect(at('', '')).toBe('');
    expect(at('', '04:30')).toBe('04:30');
  });

  it('reads a time a DST change skips or repeats the same way in every zone, whatever the server’s zone', () => {
    const fields = planFormFields({ services: ['x'] }).filter((f) => f.id === PLAN_FIELDS.start);
    const at = (date: string, time: string, zone: string) =>
      dialogValues(
        fields,
        { [dateInputId(PLAN_FIELDS.start)]: date, [timeInputId(PLAN_FIELDS.start)]: time },
        zone,
      )[PLAN_FIELDS.start];
    const readings = () => [
      // Skipped by the spring-forward: moved on by the change, east and west of UTC alike (New York's
      // 02:30 used to be read as 01:30 EST, an hour before the time asked for).
      at('2025-03-30', '02:30', 'Europe/Paris'),
      at('2025-03-09', '02:30', 'America/New_York'),
      // Repeated by the fall-back: its first occurrence (summer time), in Paris as in New York.
      at('2025-10-26', '02:30', 'Europe/Paris'),
      at('2025-11-02', '01:30', 'America/New_York'),
      // Lord Howe moves by half an hour; Kolkata is UTC+05:30, its midnight the day before in UTC.
      at('2025-10-05', '02:15', 'Australia/Lord_Howe'),
      at('2025-04-06', '01:45', 'Australia/Lord_Howe'),
      at('2025-03-15', '00:00', 'Asia/Kolkata'),
    ];
    const expected = [
      '2025-03-30T01:30:00.000Z',
      '2025-03-09T07:30:00.000Z',
      '2025-10-26T00:30:00.000Z',
      '2025-11-02T05:30:00.000Z',
      '2025-10-04T15:45:00.000Z',
      '2025-04-05T14:45:00.000Z',
      '2025-03-14T18:30:00.000Z',
    ];
    expect(readings()).toEqual(expected);
    // TZDate's own constructor picks a repeated hour through the server's zone (date-fns/tz#40).
    const serverZone = process.env.TZ;
    try {
      for (const zone of ['America/Los_Angeles', 'Europe/Paris', 'Australia/Lord_Howe', 'Asia/Kolkata']) {
        process.env.TZ = zone;
        expect(readings(), zone).toEqual(expected);
      }
    } finally {
      if (serverZone === undefined) delete process.env.TZ;
      else process.env.TZ = serverZone;
    }
  });

  it('refuses a day the month does not have instead of rolling it into the next month', () => {
    const fields = planFormFields({ services: ['payments-api'] });
    const startOn = (date: string) =>
      dialogValues(
        fields.filter((f) => f.id === PLAN_FIELDS.start),
        { [dateInputId(PLAN_FIELDS.start)]: date, [timeInputId(PLAN_FIELDS.start)]: '04:30' },
        'Europe/Paris',
      )[PLAN_FIELDS.start];
    // 2026 is no leap year: its 29 February used to be read as 1 March, its 30 February as 2 March.
    expect(startOn('2026-02-29')).toBe('2026-02-29');
    expect(startOn('2028-02-29')).toBe('2028-02-29T03:30:00.000Z');
    const parsed = parsePlanForm(
      { ...planFormValues(teamsPlan, 'teams'), [PLAN_FIELDS.start]: startOn('2026-02-30') },
      { services: ['payments-api'], initial: teamsPlan, platform: 'teams' },
    );
    expect(parsed).toEqual({ ok: false, errors: { [PLAN_FIELDS.start]: 'Start: pick a date and time.' } });
  });

  it('keeps a refused submission open with each error under its field, and a general one on top', () => {
    const fields = planFormFields({ services: ['payments-api'] });
    const { card } = dialog(fields, {
      values: { [PLAN_FIELDS.version]: '-rf [x](https://evil.example)' },
      errors: {
        [PLAN_FIELDS.version]: 'The version must be letters, digits, "." or "-".',
        other: 'The plan changed since you opened it.',
      },
    });
    expect(validateCard(card)).toEqual([]);
    const at = card.body.findIndex((e) => e.type === 'Input.Text' && e.id === PLAN_FIELDS.version);
    expect(card.body[at]).toMatchObject({ value: '-rf [x](https://evil.example)' });
    expect(card.body[at + 1]).toMatchObject({ type: 'TextBlock', color: 'attention' });
    expect(readable([card.body[at + 1]])).toBe('⚠️ The version must be letters, digits, "." or "-".');
    expect(readable([card.body[0]])).toBe('⚠️ The plan changed since you opened it.');
  });

  it('fits a large plan being edited', () => {
    const { card } = dialog(planFormFields({ services: SERVICES }), {
      values: planFormValues(largePlan, 'slack'),
    });
    expect(validateCard(card)).toEqual([]);
  });
});
