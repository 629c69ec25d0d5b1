import { describe, expect, it } from 'vitest';
import { renderCard } from '../../src/bot/slack/blocks/card.ts';
import { renderHome as renderBotHome } from '../../src/bot/slack/blocks/home.ts';
import { renderIssueModal, renderPlanModal, renderRollbackModal } from '../../src/bot/slack/blocks/modals.ts';
import { renderVoteMessage } from '../../src/bot/slack/blocks/thread.ts';
import { personKey } from '../../src/domain/hotfix/people.ts';
import type { BlockContext } from '../../src/playground/render/blocks.ts';
import { renderBlocks } from '../../src/playground/render/blocks.ts';
import { minutes, people, plan, policy } from '../domain/fixtures/policy.ts';
import {
  approvedAndReady,
  deploying,
  failedVerification,
  monitoring,
  started,
  verified,
} from '../domain/scenarios.ts';

const ctx = (overrides: Partial<BlockContext> = {}): BlockContext => ({
  userName: (id) => ({ U0ALICE: 'alice', U0BOB: 'bob' })[id],
  channelName: () => undefined,
  people: [
    { id: 'U0ALICE', name: 'alice' },
    { id: 'U0BOB', name: 'bob' },
  ],
  surface: 'message',
  scope: 'm1',
  ...overrides,
});

const render = (blocks: unknown[], overrides: Partial<BlockContext> = {}) =>
  renderBlocks(blocks, ctx(overrides)).value;

const plain = (text: string) => ({ type: 'plain_text', text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });
const option = (text: string, value: string) => ({ text: plain(text), value });

describe('Block Kit to HTML', () => {
  it('renders a section with mrkdwn text, fields and a button accessory', () => {
    const out = render([
      {
        type: 'section',
        block_id: 'summary',
        text: mrkdwn('*HF-1* by <@U0ALICE>'),
        fields: [mrkdwn('*Severity*\nhigh'), plain('Plain <b>')],
        accessory: { type: 'button', action_id: 'hotfix_record', text: plain('Record'), value: 'x' },
      },
    ]);
    expect(out).toContain('data-block="summary"');
    expect(out).toContain('<b>HF-1</b> by <span class="mention" data-user="U0ALICE">@alice</span>');
    expect(out).toContain('<div class="bk-field"><b>Severity</b><br>high</div>');
    expect(out).toContain('<div class="bk-field">Plain &lt;b&gt;</div>');
    expect(out).toMatch(
      /<button type="button" class="bk-button" data-action-id="hotfix_record" data-block-id="summary" data-type="button" data-act="button">Record<\/button>/,
    );
  });

  it('renders header, divider, context (text and image) and an image block as its alt text', () => {
    const out = render([
      { type: 'header', text: plain('🚀 Deploying :tada:') },
      { type: 'divider' },
      {
        type: 'context',
        elements: [mrkdwn('_updated_'), { type: 'image', image_url: 'https://x/y.png', alt_text: 'logo' }],
      },
      {
        type: 'image',
        image_url: 'https://x/chart.png',
        alt_text: 'error rate chart',
        title: plain('Errors'),
      },
    ]);
    expect(out).toContain('<h3>🚀 Deploying 🎉</h3>');
    expect(out).toContain('<hr>');
    expect(out).toContain('<span class="bk-context-text"><i>updated</i></span>');
    expect(out).toContain('🖼 logo');
    expect(out).toContain('<figcaption>Errors</figcaption>');
    expect(out).toContain('🖼 error rate chart');
  });

  it('renders actions: styled buttons with their confirm dialog, a select, an overflow menu', () => {
    const out = render([
      {
        type: 'actions',
        block_id: 'acts',
        elements: [
          { type: 'button', action_id: 'deploy', text: plain('Deploy'), style: 'primary' },
          {
            type: 'button',
            action_id: 'cancel',
            text: plain('Cancel'),
            style: 'danger',
            confirm: {
              title: plain('Cancel HF-1?'),
              text: mrkdwn('This *stops* it <now>'),
              confirm: plain('Yes'),
              deny: plain('No'),
              style: 'danger',
            },
          },
          {
            type: 'static_select',
            action_id: 'pick',
            placeholder: plain('Pick one'),
            options: [option('One', '1'), option('Two', '2')],
            initial_option: option('Two', '2'),
          },
          { type: 'overflow', action_id: 'more', options: [option('Record', 'record')] },
        ],
      },
    ]);
    expect(out).toContain('class="bk-button bk-primary" data-action-id="deploy"');
    expect(out).toContain('class="bk-button bk-danger" data-action-id="cancel"');
    expect(out).toContain(
      'data-confirm-title="Cancel HF-1?" data-confirm-text="This *stops* it &lt;now&gt;" data-confirm-ok="Yes" data-confirm-deny="No" data-confirm-style="danger"',
    );
    expect(out).toContain(
      '<option value="">Pick one</option><option value="1">One</option><option value="2" selected>Two</option>',
    );
    expect(out).toContain('class="bk-overflow"');
    expect(out).toContain('<option value="record">Record</option>');
    expect(out).toContain('data-act="select"');
  });

  it('renders checkboxes with their ticked options, as a block action outside modals', () => {
    const out = render([
      {
        type: 'section',
        block_id: 'hotfix_checklist:HF-1:code_readiness:0:r3',
        text: mrkdwn('*Code readiness*'),
        accessory: {
          type: 'checkboxes',
          action_id: 'hotfix_tick',
          options: [
            option('Code review', '0'),
            { ...option('Tests passed', '1'), description: mrkdwn('by CI') },
          ],
          initial_options: [option('Tests passed', '1')],
        },
      },
    ]);
    expect(out).toContain('data-act="checkboxes"');
    expect(out).toContain('name="m1:hotfix_checklist:HF-1:code_readiness:0:r3:hotfix_tick" value="0">');
    expect(out).toContain('value="1" checked>');
    expect(out).toContain('<small class="bk-description">by CI</small>');
  });

  it('renders modal inputs as form fields with labels, hints, optional marks and field errors', () => {
    const out = render(
      [
        {
          type: 'input',
          block_id: 'plan_summary',
          label: plain('Summary'),
          element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 3000 },
          hint: plain('What changes'),
        },
        {
          type: 'input',
          block_id: 'plan_version',
          label: plain('Version'),
          optional: true,
          element: { type: 'plain_text_input', action_id: 'value', initial_value: '"2.0"' },
        },
      ],
      { surface: 'modal', errors: { plan_summary: 'Say what the fix <changes>' } },
    );
    expect(out).toContain('<label class="bk-label">Summary</label>');
    expect(out).toContain(
      '<textarea class="bk-text" rows="3" maxlength="3000" required data-action-id="value" data-block-id="plan_summary" data-type="plain_text_input" data-field="text"></textarea>',
    );
    expect(out).toContain('<div class="bk-hint">What changes</div>');
    expect(out).toContain(
      '<div class="bk-error" role="alert" data-error-for="plan_summary">Say what the fix &lt;changes&gt;</div>',
    );
    expect(out).toContain('<small>(optional)</small>');
    expect(out).toContain('value="&quot;2.0&quot;"');
    expect(out).not.toMatch(/plan_version[^>]*required/);
  });

  it('offers only the workspace people in user pickers, and date, time and date-time pickers', () => {
    const out = render(
      [
        {
          type: 'input',
          block_id: 'who',
          label: plain('Who'),
          element: { type: 'multi_users_select', action_id: 'value', initial_users: ['U0BOB'] },
        },
        {
          type: 'input',
          block_id: 'one',
          label: plain('One'),
          element: { type: 'users_select', action_id: 'v' },
        },
        {
          type: 'input',
          block_id: 'day',
          label: plain('Day'),
          element: { type: 'datepicker', action_id: 'v', initial_date: '2025-03-14' },
        },
        {
          type: 'input',
          block_id: 'at',
          label: plain('At'),
          element: { type: 'timepicker', action_id: 'v' },
        },
        {
          type: 'input',
          block_id: 'start',
          label: plain('Start'),
          element: { type: 'datetimepicker', action_id: 'value', initial_date_time: 1741943100 },
        },
      ],
      { surface: 'modal' },
    );
    // The people picker is a chip multi-select: bob picked, as a chip; the dropdown offers alice only.
    expect(out).toContain(
      '<ul class="bk-chips"><li class="bk-chip" data-value="U0BOB"><span>bob</span><button type="button" class="bk-chip-remove" aria-label="Remove bob">×</button></li></ul>',
    );
    expect(out).toContain(
      '<option value="U0ALICE">alice</option><option value="U0BOB" hidden disabled>bob</option>',
    );
    expect(out).toContain('data-field="multi_select"');
    expect(out).toContain('<option value="" selected>Select a person</option>');
    expect(out).toContain('type="date" value="2025-03-14"');
    expect(out).toContain('type="time"');
    expect(out).toContain('type="datetime-local" value="2025-03-14T09:05"');
  });

  it('renders radio buttons, multi selects with option groups, and rich text', () => {
    const out = render(
      [
        {
          type: 'input',
          block_id: 'trigger',
          label: plain('Why'),
          element: {
            type: 'radio_buttons',
            action_id: 'value',
            options: [option('Critical error', 'critical_error'), option('Data issue', 'data_issue')],
            initial_option: option('Data issue', 'data_issue'),
          },
        },
        {
          type: 'input',
          block_id: 'services',
          label: plain('Services'),
          element: {
            type: 'multi_static_select',
            action_id: 'value',
            option_groups: [
              { label: plain('A–B'), options: [option('api', 'api'), option('billing', 'billing')] },
            ],
          },
        },
        {
          type: 'rich_text',
          elements: [
            {
              type: 'rich_text_section',
              elements: [
                { type: 'text', text: 'Hi ', style: { bold: true } },
                { type: 'user', user_id: 'U0ALICE' },
              ],
            },
          ],
        },
      ],
      { surface: 'modal', scope: 'V1' },
    );
    expect(out).toContain('data-field="radio_buttons"');
    expect(out).toContain('type="radio" name="V1:trigger:value" value="data_issue" checked');
    expect(out).toContain('<optgroup label="A–B"><option value="api">api</option>');
    expect(out).toContain('<div><b>Hi </b><span class="mention" data-user="U0ALICE">@alice</span></div>');
  });

  it('draws multi-selects as Slack does: chips with a remove button, and a dropdown of the rest', () => {
    const services = {
      type: 'multi_static_select',
      action_id: 'value',
      placeholder: plain('Pick the services'),
      options: [option('api', 'api'), option('billing', 'billing'), option('ledger', 'ledger')],
      initial_options: [option('ledger', 'ledger'), option('api', 'api')],
    };
    const field = render(
      [{ type: 'input', block_id: 'services', label: plain('Services'), element: services }],
      { surface: 'modal' },
    );
    expect(field).not.toMatch(/<select[^>]*multiple/);
    // The chips in the order they were given; the dropdown starts at its placeholder, picked ones hidden.
    expect([...field.matchAll(/<li class="bk-chip" data-value="(\w+)"/g)].map((m) => m[1])).toEqual([
      'ledger',
      'api',
    ]);
    expect(field).toContain('aria-label="Remove ledger">×</button>');
    expect(field).toContain(
      '<select class="bk-select bk-multi-add" aria-label="Pick the services"><option value="" selected>Pick the services</option><option value="api" hidden disabled>api</option><option value="billing">billing</option><option value="ledger" hidden disabled>ledger</option></select>',
    );
    expect(field).toContain(
      '<div class="bk-multi" data-required data-action-id="value" data-block-id="services" data-type="multi_static_select" data-field="multi_select">',
    );

    // Required and empty: the dropdown itself is required, so the browser refuses the submit.
    const empty = render(
      [
        {
          type: 'input',
          block_id: 'services',
          label: plain('S'),
          element: { ...services, initial_options: [] },
        },
      ],
      { surface: 'modal' },
    );
    expect(empty).toContain(
      '<ul class="bk-chips"></ul><select class="bk-select bk-multi-add" aria-label="Pick the services" required>',
    );
    const optional = render(
      [
        {
          type: 'input',
          block_id: 's',
          optional: true,
          label: plain('S'),
          element: { ...services, initial_options: [] },
        },
      ],
      { surface: 'modal' },
    );
    expect(optional).not.toContain('required');

    // What was entered wins over the initial options (a modal shown again with errors); at the most it
    // takes, the dropdown is disabled.
    const entered = render(
      [
        {
          type: 'input',
          block_id: 'services',
          label: plain('S'),
          element: { ...services, max_selected_items: 1 },
        },
      ],
      {
        surface: 'modal',
        values: {
          services: {
            value: { type: 'multi_static_select', selected_options: [option('billing', 'billing')] },
          },
        },
      },
    );
    expect([...entered.matchAll(/data-value="(\w+)"/g)].map((m) => m[1])).toEqual(['billing']);
    expect(entered).toContain('data-max="1"');
    expect(entered).toMatch(/<select class="bk-select bk-multi-add"[^>]* disabled>/);

    // In an actions block it acts at once, as a block action.
    const acting = render([{ type: 'actions', block_id: 'a', elements: [services] }]);
    expect(acting).toContain('data-act="multi_select"');
    expect(acting).not.toContain('required');
  });

  it('shows unknown blocks and elements by their type instead of failing', () => {
    expect(
      render([{ type: 'video' }, { type: 'actions', elements: [{ type: 'workflow_button' }] }]),
    ).toContain('[video]');
    expect(render([{ type: 'actions', elements: [{ type: 'workflow_button' }] }])).toContain(
      '[workflow_button]',
    );
  });

  it('escapes everything taken from the blocks, attributes included', () => {
    const evil = '"><script>alert(1)</script>';
    const out = render([
      { type: 'section', block_id: evil, text: plain(evil) },
      { type: 'actions', elements: [{ type: 'button', action_id: evil, text: plain(evil), value: evil }] },
      { type: 'header', text: plain(evil) },
    ]);
    expect(out).not.toContain('<script>');
    expect(out.match(/&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;/g)).toHaveLength(5);
  });

  it("renders the bot's own plan modal with every field supported", () => {
    const view = renderPlanModal({ services: ['payments-api', 'ledger-worker'] });
    const out = render(view.blocks, { surface: 'modal', scope: 'V1' });
    expect(out).not.toContain('bk-unsupported');
    expect(out).toContain('data-block-id="plan_issue_id"');
    expect(out).toContain('<option value="payments-api">payments-api</option>');
    expect(out).toContain('type="datetime-local"');
    // Services and the four people pickers: chip multi-selects, no list box.
    expect(out.match(/class="bk-multi"/g)?.length).toBe(5);
    expect(out).not.toContain(' multiple');
    expect(out).toContain('<hr>');
    expect(out).toContain('Everything below is optional: add it now or later with /hotfix edit.');
    expect(out.indexOf('data-block-id="plan_services"')).toBeLessThan(out.indexOf('Everything below'));
    expect(out.match(/data-field=/g)?.length).toBe(view.blocks.filter((b) => b.type === 'input').length);
  });
});

describe("the bot's own surfaces", () => {
  const options = { policy, timezone: 'UTC', now: minutes(10) };
  const states = [
    started(),
    approvedAndReady(),
    deploying(),
    failedVerification(),
    monitoring(),
    verified(),
  ].map((s) => s.state);

  it('render with every block and element supported', () => {
    const surfaces = [
      ...states.map((state) => ({ surface: 'message' as const, blocks: renderCard(state, options).blocks })),
      {
        surface: 'message' as const,
        blocks: renderVoteMessage(failedVerification().state, 1, { policy, now: minutes(10) }).blocks,
      },
      ...[people.tech1, people.manager, people.biz].map((who) => ({
        surface: 'home' as const,
        blocks: renderBotHome(states, personKey(who), options).blocks,
      })),
      {
        surface: 'modal' as const,
        blocks: renderPlanModal({ services: ['api'], initial: plan, hotfixId: 'HF-1' }).blocks,
      },
      { surface: 'modal' as const, blocks: renderRollbackModal({ hotfixId: 'HF-1' }).blocks },
      { surface: 'modal' as const, blocks: renderIssueModal({ hotfixId: 'HF-1' }).blocks },
    ];
    for (const { surface, blocks } of surfaces) {
      const out = render(blocks, { surface });
      expect(out).not.toContain('bk-unsupported');
      expect(out).not.toMatch(/<script|javascript:/i);
    }
  });
});
