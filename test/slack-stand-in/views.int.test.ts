import { describe, expect, it } from 'vitest';
import { ALICE, BOB, modal, sections, slackError, useStandIn } from './helpers.ts';

const { standIn, client, clock } = useStandIn();

const input = (blockId: string) => ({
  type: 'input',
  block_id: blockId,
  label: { type: 'plain_text', text: 'Summary' },
  element: { type: 'plain_text_input', action_id: 'value' },
});

describe('views through the real WebClient', () => {
  it('opens a modal with a trigger it issued, then updates it by id and by external id', async () => {
    const slack = client();
    const opened = await slack.views.open({
      trigger_id: standIn().newTriggerId(ALICE),
      view: { ...modal('Plan HF-1'), external_id: 'plan-HF-1' },
    });
    expect(opened.view).toMatchObject({
      id: expect.stringMatching(/^V/),
      type: 'modal',
      hash: expect.stringMatching(/^\d+\.[0-9a-f]{8}$/),
      state: { values: {} },
      title: { text: 'Plan HF-1' },
      callback_id: 'plan',
      root_view_id: opened.view?.id,
      previous_view_id: null,
      app_id: 'A0HOTFIXAPP',
      team_id: 'T0TEST',
    });
    expect(
      standIn()
        .views.stack(ALICE)
        .map((v) => v.view.id),
    ).toEqual([opened.view?.id]);
    expect(standIn().views.stack(BOB)).toEqual([]);

    const byId = await slack.views.update({
      view_id: opened.view?.id as string,
      hash: opened.view?.hash as string,
      view: modal('Plan HF-1 (v2)'),
    });
    expect(byId.view?.id).toBe(opened.view?.id);
    expect(byId.view?.hash).not.toBe(opened.view?.hash);
    expect(standIn().views.top(ALICE)?.view.title?.text).toBe('Plan HF-1 (v2)');

    const byExternal = await slack.views.update({
      external_id: 'plan-HF-1',
      view: { ...modal('v3'), external_id: 'plan-HF-1' },
    });
    expect(byExternal.view?.id).toBe(opened.view?.id);
  });

  it('refuses a stale hash, an unknown view and a view of the wrong type', async () => {
    const slack = client();
    const opened = await slack.views.open({ trigger_id: standIn().newTriggerId(ALICE), view: modal() });
    const id = opened.view?.id as string;
    await slack.views.update({ view_id: id, view: modal('Newer') });
    expect(
      await slackError(slack.views.update({ view_id: id, hash: opened.view?.hash as string, view: modal() })),
    ).toBe('hash_conflict');
    expect(await slackError(slack.views.update({ view_id: 'V0NOPE', view: modal() }))).toBe('not_found');
    expect(
      await slackError(slack.views.update({ view_id: id, view: { type: 'home', blocks: sections(1) } })),
    ).toBe('invalid_arguments');
  });

  it('checks trigger ids: single use, 3 seconds, well-formed', async () => {
    const slack = client();
    const trigger = standIn().newTriggerId(ALICE);
    await slack.views.open({ trigger_id: trigger, view: modal() });
    expect(await slackError(slack.views.open({ trigger_id: trigger, view: modal() }))).toBe(
      'exchanged_trigger_id',
    );

    const late = standIn().newTriggerId(ALICE);
    clock.advance(3001);
    expect(await slackError(slack.views.open({ trigger_id: late, view: modal() }))).toBe(
      'expired_trigger_id',
    );
    expect(await slackError(slack.views.open({ trigger_id: 'not-a-trigger', view: modal() }))).toBe(
      'invalid_trigger_id',
    );

    // A well-formed id from elsewhere (a hand-made payload) is accepted, with no known user.
    const foreign = await slack.views.open({ trigger_id: '12345.98765.abcd2358fdea', view: modal() });
    expect(standIn().views.get(foreign.view?.id as string)?.user).toBeUndefined();
  });

  it('validates the view: parseable, within Block Kit limits, submit with inputs', async () => {
    const slack = client();
    const open = (view: unknown) =>
      slack.apiCall('views.open', { trigger_id: standIn().newTriggerId(ALICE), view });
    expect(await slackError(open('{"type":"modal",'))).toBe('invalid_arguments');
    expect(await slackError(open(modal('Plan', sections(101))))).toBe('invalid_arguments');
    expect(standIn().calls.at(-1)?.response).toMatchObject({
      response_metadata: { messages: ['[ERROR] must be less than 101 items [json-pointer:/view/blocks]'] },
    });
    expect(await slackError(open(modal('A title longer than 24 chars')))).toBe('invalid_arguments');
    expect(await slackError(open(modal('Plan', [input('summary')])))).toBe('invalid_arguments');
    const ok = await open({
      ...modal('Plan', [input('summary')]),
      submit: { type: 'plain_text', text: 'Save' },
    });
    expect(ok.ok).toBe(true);
    await open(modal('Plan', sections(100)));
    expect(standIn().views.stack(ALICE)).toHaveLength(1);
  });

  it('pushes at most 3 views, and applies view_submission acknowledgements', async () => {
    const slack = client();
    const root = await slack.views.open({ trigger_id: standIn().newTriggerId(ALICE), view: modal('Root') });
    const second = await slack.views.push({
      trigger_id: standIn().newTriggerId(ALICE),
      view: modal('Second'),
    });
    await slack.views.push({ trigger_id: standIn().newTriggerId(ALICE), view: modal('Third') });
    expect(second.view?.root_view_id).toBe(root.view?.id);
    expect(second.view?.previous_view_id).toBe(root.view?.id);
    expect(
      await slackError(
        slack.views.push({ trigger_id: standIn().newTriggerId(ALICE), view: modal('Fourth') }),
      ),
    ).toBe('push_limit_reached');
    expect(
      standIn()
        .views.stack(ALICE)
        .map((v) => v.view.title?.text),
    ).toEqual(['Root', 'Second', 'Third']);

    const { views } = standIn();
    const top = views.top(ALICE)?.view.id as string;
    expect(
      views.acknowledge(top, { response_action: 'errors', errors: { summary: 'Required' } }),
    ).toMatchObject({
      ok: true,
      view: { errors: { summary: 'Required' } },
    });
    expect(views.acknowledge(top, { response_action: 'update', view: modal('Third v2') })).toMatchObject({
      ok: true,
    });
    expect(views.top(ALICE)?.view.title?.text).toBe('Third v2');
    expect(views.acknowledge(top, { response_action: 'update', view: modal('x'.repeat(25)) })).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
    });
    expect(views.acknowledge(top)).toMatchObject({ ok: true, view: { view: { title: { text: 'Second' } } } });
    expect(views.acknowledge(second.view?.id as string, { response_action: 'clear' })).toEqual({
      ok: true,
      view: undefined,
    });
    expect(views.stack(ALICE)).toEqual([]);
  });

  it('publishes a Home tab per user, with an optional hash check', async () => {
    const slack = client();
    const home = { type: 'home' as const, blocks: sections(3) };
    const first = await slack.views.publish({ user_id: ALICE, view: home });
    const again = await slack.views.publish({ user_id: ALICE, view: home, hash: first.view?.hash as string });
    expect(again.view?.id).toBe(first.view?.id);
    expect(
      await slackError(slack.views.publish({ user_id: ALICE, view: home, hash: first.view?.hash as string })),
    ).toBe('hash_conflict');
    expect(standIn().views.home(ALICE)?.view.blocks).toHaveLength(3);
    expect(standIn().views.home(BOB)).toBeUndefined();
    expect(await slackError(slack.views.publish({ user_id: 'U0NOBODY', view: home }))).toBe('user_not_found');
    expect(
      await slackError(slack.views.publish({ user_id: BOB, view: { type: 'home', blocks: sections(101) } })),
    ).toBe('invalid_arguments');
  });

  it('streams view changes', async () => {
    const kinds: string[] = [];
    const off = standIn().on('view', (change) => kinds.push(change.kind));
    const slack = client();
    const opened = await slack.views.open({ trigger_id: standIn().newTriggerId(BOB), view: modal() });
    await slack.views.update({ view_id: opened.view?.id as string, view: modal('v2') });
    standIn().views.close(opened.view?.id as string);
    await slack.views.publish({ user_id: BOB, view: { type: 'home', blocks: [] } });
    off();
    expect(kinds).toEqual(['opened', 'updated', 'closed', 'published']);
  });
});
