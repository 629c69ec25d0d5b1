import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CALLBACKS, COMMAND } from '../../../src/bot/slack/ids.ts';

const manifestSchema = z.object({
  features: z.object({
    app_home: z.object({ home_tab_enabled: z.boolean() }),
    bot_user: z.object({ display_name: z.string() }),
    slash_commands: z.array(z.object({ command: z.string(), url: z.string(), usage_hint: z.string() })),
    shortcuts: z.array(z.object({ callback_id: z.string() })).optional(),
  }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({
    event_subscriptions: z.object({ request_url: z.string(), bot_events: z.array(z.string()) }),
    interactivity: z.object({ is_enabled: z.boolean(), request_url: z.string() }),
    socket_mode_enabled: z.boolean(),
  }),
});

describe('manifest.yml', () => {
  it('declares the command, endpoints, events and scopes the code uses, and nothing the code lacks', async () => {
    const manifest = manifestSchema.parse(parse(await readFile('manifest.yml', 'utf8')));
    const [command, ...others] = manifest.features.slash_commands;
    expect(others).toEqual([]);
    expect(command?.command).toBe(COMMAND);
    for (const sub of ['start', 'status', 'list', 'edit', 'issue', 'rollback', 'cancel', 'record', 'help'])
      expect(command?.usage_hint).toContain(sub);
    const urls = [
      command?.url,
      manifest.settings.event_subscriptions.request_url,
      manifest.settings.interactivity.request_url,
    ];
    for (const url of urls) expect(new URL(url ?? '').pathname).toBe('/slack/events');
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_home_opened']);
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual(
      ['channels:manage', 'chat:write', 'commands', 'files:write'].sort(),
    );
    const callbacks: readonly string[] = Object.values(CALLBACKS);
    for (const shortcut of manifest.features.shortcuts ?? [])
      expect(callbacks).toContain(shortcut.callback_id);
  });
});
