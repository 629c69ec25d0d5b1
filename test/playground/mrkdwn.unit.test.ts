import { describe, expect, it } from 'vitest';
import { markup, raw } from '../../src/playground/render/html.ts';
import { mrkdwnToHtml, plainToHtml } from '../../src/playground/render/mrkdwn.ts';

const names = {
  userName: (id: string) => ({ U0ALICE: 'alice', U0BOB: 'bob' })[id],
  channelName: (id: string) => (id === 'C0INCIDENTS' ? 'incidents' : undefined),
};
const md = (text: string) => mrkdwnToHtml(text, names).value;

describe('mrkdwn to HTML', () => {
  it('renders bold, italic, strike and inline code', () => {
    expect(md('*Deploy* _now_ ~later~ `npm ci`')).toBe(
      '<b>Deploy</b> <i>now</i> <s>later</s> <code>npm ci</code>',
    );
  });

  it('leaves markers inside words and unbalanced markers alone', () => {
    expect(md('snake_case_name 2*3*4 a * b')).toBe('snake_case_name 2*3*4 a * b');
  });

  it('formats across a mention and keeps emphasis out of code', () => {
    expect(md('*<@U0ALICE>* approved `*not bold*`')).toBe(
      '<b><span class="mention" data-user="U0ALICE">@alice</span></b> approved <code>*not bold*</code>',
    );
  });

  it('renders code blocks verbatim, with Slack entities decoded and HTML escaped', () => {
    expect(md('Output:\n```line &lt;1&gt;\n*not bold* <b>```')).toBe(
      'Output:<br><pre>line &lt;1&gt;\n*not bold* &lt;b&gt;</pre>',
    );
  });

  it('groups > lines into one quote, also when Slack escaped the marker', () => {
    expect(md('Reason:\n>first\n&gt; second\nafter')).toBe(
      'Reason:<blockquote>first<br>second</blockquote>after',
    );
  });

  it('names people and channels, and falls back to the label or the id', () => {
    expect(md('<@U0BOB> <@U0NOBODY|zed> <@U0GHOST> in <#C0INCIDENTS> and <#C0OTHER|ops> <!here>')).toBe(
      '<span class="mention" data-user="U0BOB">@bob</span> <span class="mention" data-user="U0NOBODY">@zed</span> ' +
        '<span class="mention" data-user="U0GHOST">@U0GHOST</span> in <span class="mention channel">#incidents</span> ' +
        'and <span class="mention channel">#ops</span> <span class="mention">@here</span>',
    );
  });

  it('links http(s) and mailto URLs, and shows other schemes as text', () => {
    expect(md('<https://ci.example.com/run?a=1&amp;b=2|CI run> <mailto:ops@example.com>')).toBe(
      '<a href="https://ci.example.com/run?a=1&amp;b=2" target="_blank" rel="noopener noreferrer">CI run</a> ' +
        '<a href="mailto:ops@example.com" target="_blank" rel="noopener noreferrer">mailto:ops@example.com</a>',
    );
    expect(md('<javascript:alert(1)|click>')).toBe('click');
  });

  it('shows emoji shortcodes and leaves unknown ones and times as typed', () => {
    expect(md(':white_check_mark: :rocket: :no_such_emoji: at 09:05:30')).toBe(
      '✅ 🚀 :no_such_emoji: at 09:05:30',
    );
  });

  it('shows Slack-escaped text as the characters it stands for, escaped for HTML', () => {
    expect(md('a &lt; b &amp;&amp; c &gt; d')).toBe('a &lt; b &amp;&amp; c &gt; d');
  });

  it('never lets text become markup', () => {
    const evil = '<img src=x onerror=alert(1)> "quoted" \'single\' <script>alert(1)</script>';
    const out = md(evil);
    expect(out).not.toMatch(/<img|<script/);
    expect(out).toContain('&quot;quoted&quot; &#39;single&#39;');
    expect(md('<https://x.example/"onmouseover="alert(1)|x>')).toBe(
      '<a href="https://x.example/&quot;onmouseover=&quot;alert(1)" target="_blank" rel="noopener noreferrer">x</a>',
    );
  });

  it('drops the placeholder mark from input rather than letting it forge a placeholder', () => {
    expect(md('\uE0000\uE000 <@U0ALICE>')).toBe('0 <span class="mention" data-user="U0ALICE">@alice</span>');
  });

  it('shows an unclosed code fence as typed', () => {
    expect(md('a ```b')).toBe('a ```b');
  });
});

describe('plain text and the html template', () => {
  it('escapes plain text, keeps line breaks and shows emoji unless told not to', () => {
    expect(plainToHtml('<b>Start</b>\n:tada:').value).toBe('&lt;b&gt;Start&lt;/b&gt;<br>🎉');
    expect(plainToHtml(':tada:', false).value).toBe(':tada:');
  });

  it('escapes interpolated values but not nested templates or raw markup', () => {
    const name = '<script>';
    expect(
      markup`<p>${name}${markup`<i>${'&'}</i>`}${raw('<br>')}${[1, undefined, false, 'x']}</p>`.value,
    ).toBe('<p>&lt;script&gt;<i>&amp;</i><br>1x</p>');
  });

  it('keeps a link to a message of the workspace on the page, for the script to show it', () => {
    const url =
      'https://hotfix-playground.slack.com/archives/C0INCIDENTS/p1700000000000200?thread_ts=1700000000.000100&amp;cid=C0INCIDENTS';
    expect(md(`waiting — <${url}|open the prompt>`)).toBe(
      'waiting — <a href="https://hotfix-playground.slack.com/archives/C0INCIDENTS/p1700000000000200?thread_ts=1700000000.000100&amp;cid=C0INCIDENTS" data-permalink-channel="C0INCIDENTS" data-permalink-ts="1700000000.000200" data-permalink-thread="1700000000.000100">open the prompt</a>',
    );
    // Any other link still opens elsewhere.
    expect(md('<https://example.com/archives/C1/p1700000000000200|x>')).toContain('target="_blank"');
  });
});
