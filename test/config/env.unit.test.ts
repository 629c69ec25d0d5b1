import { describe, expect, it } from 'vitest';
import { EnvError, readEnv, readEnvVar } from '../../src/config/env.ts';

const errorOf = (env: Record<string, string>): string => {
  try {
    readEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as EnvError).message;
  }
  throw new Error('expected readEnv to throw');
};

describe('readEnv', () => {
  it('applies the documented defaults to an empty environment', () => {
    expect(readEnv({})).toEqual({
      PORT: 3000,
      REDIS_URL: 'redis://127.0.0.1:6379',
      HOTFIX_CONFIG: './hotfix.yml',
      MicrosoftAppType: 'MultiTenant',
      HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED: false,
      HOTFIX_TEAMS_SERVICE_URL: 'https://smba.trafficmanager.net/teams/',
      LOG_LEVEL: 'info',
      HOTFIX_REDIS_PREFIX: '',
      HOTFIX_REDIS_MIN_REPLICAS: 0,
      HOTFIX_REDIS_REPLICA_TIMEOUT: 2_000,
      HOTFIX_WORKER_CONCURRENCY: 8,
      HOTFIX_JOB_LOCK: 30_000,
      HOTFIX_SHUTDOWN_GRACE: 30_000,
      HOTFIX_STEP_TIMEOUT: 600_000,
      HOTFIX_METRICS_HOST: '127.0.0.1',
    });
  });

  it('takes a metrics port (0: any free one), host and token, and names each malformed one', () => {
    expect(
      readEnv({
        HOTFIX_METRICS_PORT: '9464',
        HOTFIX_METRICS_HOST: '0.0.0.0',
        HOTFIX_METRICS_TOKEN: 'scrape-token-0123456789',
      }),
    ).toMatchObject({
      HOTFIX_METRICS_PORT: 9464,
      HOTFIX_METRICS_HOST: '0.0.0.0',
      HOTFIX_METRICS_TOKEN: 'scrape-token-0123456789',
    });
    expect(readEnv({ HOTFIX_METRICS_PORT: '0', HOTFIX_METRICS_HOST: '::' })).toMatchObject({
      HOTFIX_METRICS_PORT: 0,
      HOTFIX_METRICS_HOST: '::',
    });
    expect(readEnv({ HOTFIX_METRICS_HOST: 'metrics.internal' })).toMatchObject({
      HOTFIX_METRICS_HOST: 'metrics.internal',
    });
    expect(() => readEnv({ HOTFIX_METRICS_PORT: '70000' })).toThrow(
      'HOTFIX_METRICS_PORT must be a port number (1-65535; 0 for any free port), got "70000"',
    );
    expect(() => readEnv({ HOTFIX_METRICS_HOST: 'http://x/' })).toThrow(
      'HOTFIX_METRICS_HOST must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name, got "http://x/"',
    );
    // A secret: never echoed back.
    expect(() => readEnv({ HOTFIX_METRICS_TOKEN: 'short' })).toThrow(
      /^HOTFIX_METRICS_TOKEN must be at least 16 characters$/,
    );
  });

  it('waits for one replica by default under Sentinel only, and takes an explicit number anywhere', () => {
    const sentinel = 'redis+sentinel://10.0.0.1,10.0.0.2:26380/mymaster';
    expect(readEnv({ REDIS_URL: sentinel })).toMatchObject({ HOTFIX_REDIS_MIN_REPLICAS: 1 });
    expect(readEnv({ REDIS_URL: 'rediss+sentinel://s1/mymaster' })).toMatchObject({
      HOTFIX_REDIS_MIN_REPLICAS: 1,
    });
    expect(readEnv({ REDIS_URL: sentinel, HOTFIX_REDIS_MIN_REPLICAS: '0' })).toMatchObject({
      HOTFIX_REDIS_MIN_REPLICAS: 0,
    });
    expect(readEnv({ REDIS_URL: 'redis+cluster://10.0.0.1:7000,10.0.0.2:7000' })).toMatchObject({
      HOTFIX_REDIS_MIN_REPLICAS: 0,
    });
    expect(
      readEnv({
        REDIS_URL: 'redis://10.0.0.1',
        HOTFIX_REDIS_MIN_REPLICAS: '2',
        HOTFIX_REDIS_REPLICA_TIMEOUT: '500ms',
      }),
    ).toMatchObject({ HOTFIX_REDIS_MIN_REPLICAS: 2, HOTFIX_REDIS_REPLICA_TIMEOUT: 500 });
  });

  it('reads worker tunables as numbers and durations, naming a bad one', () => {
    expect(readEnv({ HOTFIX_JOB_LOCK: '2s', HOTFIX_WORKER_CONCURRENCY: '2' })).toMatchObject({
      HOTFIX_JOB_LOCK: 2000,
      HOTFIX_WORKER_CONCURRENCY: 2,
    });
    expect(() => readEnv({ HOTFIX_JOB_LOCK: '500ms' })).toThrow(
      "HOTFIX_JOB_LOCK must be at least 1s, so a dead worker's step has ended before another worker resumes it",
    );
    expect(() => readEnv({ HOTFIX_JOB_LOCK: 'soon' })).toThrow(
      'HOTFIX_JOB_LOCK must be a duration such as 500ms, 30s or 10m, got "soon"',
    );
    expect(() => readEnv({ HOTFIX_REDIS_PREFIX: '{x}' })).toThrow(/HOTFIX_REDIS_PREFIX must be letters/);
  });

  it('reads every variable, ignoring the rest of the environment', () => {
    const env = readEnv({
      PATH: '/usr/bin',
      PORT: '8080',
      REDIS_URL: 'rediss://:pw@redis.internal:6380/2',
      HOTFIX_CONFIG: '/etc/hotfix.yml',
      SLACK_SIGNING_SECRET: 'abc123',
      SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      SLACK_APP_TOKEN: 'xapp-1-A-2',
      SLACK_API_URL: 'http://127.0.0.1:4000/api/',
      MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
      MicrosoftAppPassword: 'secret',
      MicrosoftAppTenantId: 'contoso.onmicrosoft.com',
      MicrosoftAppType: 'SingleTenant',
      HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED: '1',
      LOG_LEVEL: 'debug',
    });
    expect(env).toMatchObject({
      PORT: 8080,
      HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED: true,
      MicrosoftAppType: 'SingleTenant',
    });
    expect(env).not.toHaveProperty('PATH');
  });

  it('takes https endpoint overrides anywhere, and http ones on a loopback host only', () => {
    const overrides = {
      SLACK_API_URL: 'http://localhost:4000/api/',
      HOTFIX_TEAMS_SERVICE_URL: 'http://[::1]:4100/amer/',
      HOTFIX_TEAMS_OPENID_METADATA_URL: 'http://127.0.0.1:4100/v1/.well-known/openidconfiguration',
    };
    expect(readEnv(overrides)).toMatchObject(overrides);
    const secure = {
      SLACK_API_URL: 'https://slack-proxy.example.com/api/',
      HOTFIX_TEAMS_SERVICE_URL: 'https://smba.infra.gcc.teams.microsoft.com/teams/',
      HOTFIX_TEAMS_OPENID_METADATA_URL:
        'https://login.botframework.azure.us/v1/.well-known/openidconfiguration',
    };
    expect(readEnv(secure)).toMatchObject(secure);
  });

  it('treats an empty value as unset', () => {
    expect(readEnv({ PORT: '', SLACK_BOT_TOKEN: '' })).toMatchObject({
      PORT: 3000,
      SLACK_BOT_TOKEN: undefined,
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be a port number (1-65535), got "abc"'],
    [{ PORT: '70000' }, 'PORT must be a port number (1-65535), got "70000"'],
    [
      { REDIS_URL: 'localhost:6379' },
      'REDIS_URL must be a redis:// or rediss:// URL, redis+sentinel://host:26379,…/<master-name> or redis+cluster://host:6379,…, got "localhost:6379"',
    ],
    [
      { REDIS_URL: 'redis+sentinel://10.0.0.1:26379,10.0.0.2:26379' },
      'REDIS_URL must end with the master name the sentinels monitor, e.g. redis+sentinel://host:26379,host:26379/mymaster, got "redis+sentinel://10.0.0.1:26379,10.0.0.2:26379"',
    ],
    [
      { REDIS_URL: 'redis+cluster://10.0.0.1:7000,10.0.0.2:7000/2' },
      'REDIS_URL must not name a database or options: a Redis Cluster has only database 0, got "redis+cluster://10.0.0.1:7000,10.0.0.2:7000/2"',
    ],
    [
      { REDIS_URL: 'redis+sentinel://10.0.0.1:99999/mymaster' },
      'REDIS_URL "10.0.0.1:99999" has no valid port (1-65535), got "redis+sentinel://10.0.0.1:99999/mymaster"',
    ],
    [
      { HOTFIX_REDIS_MIN_REPLICAS: 'one' },
      'HOTFIX_REDIS_MIN_REPLICAS must be a whole number from 0 to 9, got "one"',
    ],
    [
      { SLACK_API_URL: 'slack' },
      'SLACK_API_URL must be an https URL (http only for 127.0.0.1, ::1 or localhost: tests, the playground), got "slack"',
    ],
    [
      { SLACK_API_URL: 'http://slack-proxy.internal/api/' },
      'SLACK_API_URL must be an https URL (http only for 127.0.0.1, ::1 or localhost: tests, the playground), got "http://slack-proxy.internal/api/"',
    ],
    [
      { HOTFIX_TEAMS_SERVICE_URL: 'http://smba.trafficmanager.net/teams/' },
      'HOTFIX_TEAMS_SERVICE_URL must be an https URL (http only for 127.0.0.1, ::1 or localhost: tests, the playground), got "http://smba.trafficmanager.net/teams/"',
    ],
    [
      { HOTFIX_TEAMS_OPENID_METADATA_URL: 'http://10.0.0.8/openid' },
      'HOTFIX_TEAMS_OPENID_METADATA_URL must be an https URL (http only for 127.0.0.1, ::1 or localhost: tests, the playground), got "http://10.0.0.8/openid"',
    ],
    [
      { HOTFIX_TEAMS_OPENID_METADATA_URL: 'http://127.0.0.1.evil.example/openid' },
      'HOTFIX_TEAMS_OPENID_METADATA_URL must be an https URL (http only for 127.0.0.1, ::1 or localhost: tests, the playground), got "http://127.0.0.1.evil.example/openid"',
    ],
    [
      { MicrosoftAppType: 'multi' },
      'MicrosoftAppType must be one of MultiTenant, SingleTenant, UserAssignedMSI, got "multi"',
    ],
    [
      { HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED: 'true' },
      'HOTFIX_TEAMS_ALLOW_UNAUTHENTICATED must be 0 or 1, got "true"',
    ],
    [
      { LOG_LEVEL: 'verbose' },
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
    ],
  ])('refuses %j in one line naming the variable', (env, message) => {
    expect(errorOf(env)).toBe(message);
  });

  it('never echoes a secret or a password in a URL', () => {
    expect(errorOf({ SLACK_BOT_TOKEN: 'xoxp-user-token', SLACK_SIGNING_SECRET: 's' })).toBe(
      'SLACK_BOT_TOKEN must be a Slack bot token (xoxb-…)',
    );
    expect(errorOf({ REDIS_URL: 'http://:hunter2@redis:6379' })).toBe(
      'REDIS_URL must be a redis:// or rediss:// URL, redis+sentinel://host:26379,…/<master-name> or redis+cluster://host:6379,…, got "http://***@redis:6379"',
    );
    expect(errorOf({ REDIS_URL: 'redis+sentinel://:hunter2@s1,s2?sentinelPassword=hunter3' })).not.toMatch(
      /hunter/,
    );
  });

  it('takes an audit key of at least 32 characters and never echoes a bad one', () => {
    const key = '0123456789abcdef0123456789abcdef';
    expect(readEnv({ HOTFIX_AUDIT_KEY: key })).toMatchObject({ HOTFIX_AUDIT_KEY: key });
    expect(errorOf({ HOTFIX_AUDIT_KEY: 'short-secret' })).toBe(
      'HOTFIX_AUDIT_KEY must be at least 32 characters (generate one with: openssl rand -hex 32)',
    );
    expect(errorOf({ HOTFIX_AUDIT_KEY: `${key} ${key}` })).toBe(
      'HOTFIX_AUDIT_KEY must be one word, without spaces (generate one with: openssl rand -hex 32)',
    );
  });

  it('names every malformed variable in the same line', () => {
    expect(errorOf({ PORT: '0', LOG_LEVEL: 'loud' })).toBe(
      'PORT must be a port number (1-65535), got "0"; LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
  });

  it.each([
    [
      { SLACK_BOT_TOKEN: 'xoxb-1' },
      'SLACK_SIGNING_SECRET is required to verify Slack requests (or set SLACK_APP_TOKEN for Socket Mode)',
    ],
    [{ SLACK_APP_TOKEN: 'xapp-1' }, 'SLACK_BOT_TOKEN is required when SLACK_APP_TOKEN is set'],
    [{ SLACK_SIGNING_SECRET: 's' }, 'SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET is set'],
    [{ MicrosoftAppPassword: 'p' }, 'MicrosoftAppId is required when MicrosoftAppPassword is set'],
    [
      { MicrosoftAppId: 'id' },
      'MicrosoftAppPassword is required when MicrosoftAppId is set (MicrosoftAppType MultiTenant)',
    ],
    [
      { MicrosoftAppId: 'id', MicrosoftAppType: 'UserAssignedMSI' },
      'MicrosoftAppTenantId is required when MicrosoftAppType is UserAssignedMSI',
    ],
  ])('refuses %j, whose settings only work together', (env, message) => {
    expect(errorOf(env)).toBe(message);
  });

  it('accepts Socket Mode without a signing secret', () => {
    expect(readEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' })).toMatchObject({
      SLACK_APP_TOKEN: 'xapp-1',
    });
  });
});

describe('readEnvVar', () => {
  it('reads one variable with its default, whatever the others hold', () => {
    expect(readEnvVar({ PORT: 'abc' }, 'HOTFIX_CONFIG')).toBe('./hotfix.yml');
    expect(readEnvVar({ HOTFIX_CONFIG: 'ops/hotfix.yml' }, 'HOTFIX_CONFIG')).toBe('ops/hotfix.yml');
    expect(() => readEnvVar({ PORT: 'abc' }, 'PORT')).toThrow(
      'PORT must be a port number (1-65535), got "abc"',
    );
  });
});
