import type { InputBlock, KnownBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { PlatformChoice } from '../../../src/bot/common/forms.ts';
import {
  parsePlanForm,
  planFormFields,
  planFormValues,
  platformChoice,
  PLATFORMS_FIELD,
} from '../../../src/bot/common/forms.ts';
import { checkView } from '../../../src/bot/slack/blocks/limits.ts';
import { parsePlanSubmission, renderPlanModal } from '../../../src/bot/slack/blocks/modals.ts';
import { dialogValues, renderDialog } from '../../../src/bot/teams/cards/dialogs.ts';
import { FORMS } from '../../../src/bot/teams/verbs.ts';
import { planFingerprint } from '../../../src/domain/hotfix/plan.ts';
import type { Plan } from '../../../src/domain/hotfix/plan.ts';
import { plan, policy } from '../../domain/fixtures/policy.ts';
import { validateCard } from '../teams/cards/validate-card.ts';

const services = Object.keys(policy.services);
const both = { slack: {}, teams: {} };
const slackStart = platformChoice(both, { requester: { platform: 'slack' } });
const field = (choice: PlatformChoice | undefined) =>
  planFormFields({ services, platforms: choice }).find((f) => f.id === PLATFORMS_FIELD);
/** A Slack-started plan's form values as prefilled, with `checked` in the boxes. */
const values = (initial: Plan, checked: readonly string[]) => ({
  ...planFormValues(initial, 'slack'),
  [PLATFORMS_FIELD]: [...checked],
});

describe("the plan form's incident channels", () => {
  it('are offered only when both platforms are configured, checked as they show the hotfix now', () => {
    expect(platformChoice({ slack: {} }, { requester: { platform: 'slack' } })).toBeUndefined();
    expect(field(undefined)).toBeUndefined();
    expect(slackStart).toEqual({ offered: ['slack', 'teams'], checked: ['slack', 'teams'] });
    expect(
      platformChoice({ slack: {}, teams: { mirror: false } }, { requester: { platform: 'slack' } }),
    ).toEqual({ offered: ['slack', 'teams'], checked: ['slack'] });
    expect(
      platformChoice(both, { requester: { platform: 'teams' }, plan: { platforms: ['teams'] } })?.checked,
    ).toEqual(['teams']);
    expect(field(slackStart)).toMatchObject({
      kind: 'multi-select',
      expanded: true,
      required: false,
      options: [
        { value: 'slack', label: 'Slack' },
        { value: 'teams', label: 'Teams' },
      ],
      hint: expect.stringContaining('The platform it was started from always does'),
    });
  });

  it('leave the plan as it was when the boxes are untouched (same hash: nothing voided), and record a change', () => {
    const unchanged = parsePlanForm(values(plan, ['slack', 'teams']), {
      services,
      platform: 'slack',
      initial: plan,
      platforms: slackStart,
    });
    expect(unchanged.ok && unchanged.plan.platforms).toBeUndefined();
    expect(unchanged.ok && planFingerprint(unchanged.plan)).toBe(planFingerprint(plan));

    const slackOnly = parsePlanForm(values(plan, ['slack']), {
      services,
      platform: 'slack',
      initial: plan,
      platforms: slackStart,
    });
    expect(slackOnly.ok && slackOnly.plan.platforms).toEqual(['slack']);

    // A form that does not offer the boxes (one platform configured) keeps what the plan says.
    const kept = parsePlanForm(values({ ...plan, platforms: ['slack'] }, []), {
      services,
      platform: 'slack',
      initial: { ...plan, platforms: ['slack'] },
    });
    expect(kept.ok && kept.plan.platforms).toEqual(['slack']);

    const bad = parsePlanForm(values(plan, ['slack', 'discord']), {
      services,
      platform: 'slack',
      platforms: slackStart,
    });
    expect(bad).toEqual({ ok: false, errors: { [PLATFORMS_FIELD]: 'Pick Slack or Teams.' } });
  });

  it("are checkboxes in Slack's plan modal, read back from the view state", () => {
    const view = renderPlanModal({ services, platforms: slackStart });
    expect(checkView(view)).toEqual([]);
    const block = (view.blocks as KnownBlock[]).find(
      (b): b is InputBlock => b.type === 'input' && b.block_id === PLATFORMS_FIELD,
    );
    expect(block?.element).toMatchObject({
      type: 'checkboxes',
      options: [{ value: 'slack' }, { value: 'teams' }],
      initial_options: [{ value: 'slack' }, { value: 'teams' }],
    });
    expect(block?.hint?.text).toContain('always');
    const input = (value: string) => ({ value: { type: 'plain_text_input', value } });
    const parsed = parsePlanSubmission(
      {
        plan_issue_id: input('INC-42'),
        plan_version: input('2.4.1'),
        plan_summary: input('Fix it'),
        plan_severity: { value: { type: 'static_select', selected_option: { value: 'high' } } },
        plan_services: { value: { type: 'multi_static_select', selected_options: [{ value: services[0] }] } },
        [PLATFORMS_FIELD]: { value: { type: 'checkboxes', selected_options: [{ value: 'teams' }] } },
      },
      { services, platforms: slackStart },
    );
    expect(parsed.ok && parsed.plan.platforms).toEqual(['teams']);
    // Without both platforms configured, the modal has no such block.
    expect(JSON.stringify(renderPlanModal({ services }).blocks)).not.toContain(PLATFORMS_FIELD);
  });

  it("are an expanded multi-select (checkboxes) in Teams' plan dialog, read back as commas", () => {
    const teamsStart = platformChoice(both, { requester: { platform: 'teams' } });
    const fields = planFormFields({ services, platforms: teamsStart });
    const dialog = renderDialog({
      title: 'Plan a hotfix',
      fields,
      values: { [PLATFORMS_FIELD]: [...(teamsStart?.checked ?? [])] },
      people: [{ value: 'aad-1', label: 'Tara Tech' }],
      timezone: 'UTC',
      submitTitle: 'Open hotfix',
      context: { form: FORMS.plan },
    });
    expect(validateCard(dialog.card)).toEqual([]);
    expect(JSON.stringify(dialog.card)).toContain(
      JSON.stringify({
        type: 'Input.ChoiceSet',
        id: PLATFORMS_FIELD,
        label: 'Show it in',
        choices: [
          { title: 'Slack', value: 'slack' },
          { title: 'Teams', value: 'teams' },
        ],
        style: 'expanded',
        isMultiSelect: true,
        value: 'slack,teams',
      }),
    );
    const read = dialogValues(fields, { [PLATFORMS_FIELD]: 'teams' }, 'UTC');
    const parsed = parsePlanForm(
      { ...planFormValues(plan, 'teams'), [PLATFORMS_FIELD]: read[PLATFORMS_FIELD] },
      { services, platform: 'teams', platforms: teamsStart },
    );
    expect(parsed).toMatchObject({ ok: true, plan: { platforms: ['teams'] } });
  });
});
