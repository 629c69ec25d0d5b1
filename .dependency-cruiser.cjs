/** Dependency direction (STYLE.md): a pure domain at the centre, thin edges, wiring only in src/main. */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-self-contained',
      comment: 'The domain imports nothing of ours outside itself.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' },
    },
    {
      name: 'domain-has-no-io',
      comment:
        'The domain is pure: only node:crypto (hashing), date-fns and @date-fns/tz (dates in a zone) may be imported.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        pathNot: ['^crypto$', '^node:crypto$', 'node_modules/date-fns/', 'node_modules/@date-fns/tz/'],
      },
    },
    {
      name: 'service-sees-only-domain',
      comment: 'The command handler knows the domain and its own ports, nothing concrete.',
      severity: 'error',
      from: { path: '^src/service/' },
      to: { path: '^src/', pathNot: ['^src/service/', '^src/domain/'] },
    },
    {
      name: 'config-sees-only-domain',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/', pathNot: ['^src/config/', '^src/domain/'] },
    },
    {
      name: 'store-is-an-adapter',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/(jobs|bot|notify|main)/' },
    },
    {
      name: 'bot-does-not-import-jobs',
      severity: 'error',
      from: { path: '^src/bot/' },
      to: { path: '^src/jobs/' },
    },
    {
      name: 'jobs-do-not-import-bot',
      severity: 'error',
      from: { path: '^src/jobs/' },
      to: { path: '^src/bot/' },
    },
    {
      name: 'bot-common-is-platform-neutral',
      comment:
        'What the Slack and Teams edges share (forms, command grammar, actions, wording) knows neither edge.',
      severity: 'error',
      from: { path: '^src/bot/common/' },
      to: { path: '^src/bot/(slack|teams)/' },
    },
    {
      name: 'bot-common-has-no-chat-sdk',
      severity: 'error',
      from: { path: '^src/bot/common/' },
      to: { path: ['node_modules/@slack/', 'node_modules/botbuilder', 'node_modules/botframework-'] },
    },
    {
      name: 'slack-edge-knows-no-teams',
      severity: 'error',
      from: { path: '^src/bot/slack/' },
      to: { path: ['^src/bot/teams/', 'node_modules/botbuilder', 'node_modules/botframework-'] },
    },
    {
      name: 'teams-edge-knows-no-slack',
      severity: 'error',
      from: { path: '^src/bot/teams/' },
      to: { path: ['^src/bot/slack/', 'node_modules/@slack/'] },
    },
    {
      name: 'only-the-teams-transport-imports-botbuilder',
      comment:
        'botbuilder is archived upstream: every import of it (and of botframework-*) lives in src/bot/teams/transport.ts, ' +
        'so moving to the Teams SDK is replacing one module. Tests and the Teams stand-in tests may use it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/bot/teams/transport[.]ts$' },
      to: { path: ['node_modules/botbuilder', 'node_modules/botframework-'] },
    },
    {
      name: 'slack-stand-in-stands-alone',
      comment: "The Slack Web API stand-in plays Slack's servers: it knows nothing of the product it serves.",
      severity: 'error',
      from: { path: '^src/slack-stand-in/' },
      to: { path: '^src/', pathNot: '^src/slack-stand-in/' },
    },
    {
      name: 'teams-stand-in-stands-alone',
      comment:
        "The Bot Connector and OpenID stand-in plays Microsoft's servers: it knows nothing of the product it serves.",
      severity: 'error',
      from: { path: '^src/teams-stand-in/' },
      to: { path: '^src/', pathNot: '^src/teams-stand-in/' },
    },
    {
      name: 'playground-sees-only-stand-in',
      comment:
        'The playground shows the Slack and Teams stand-ins and drives the app through them; of ours it may use ' +
        'the stand-ins, and config and domain for types only. It never reaches into the bot, jobs, store, service or main.',
      severity: 'error',
      from: { path: '^src/playground/' },
      to: {
        path: '^src/',
        pathNot: [
          '^src/playground/',
          '^src/slack-stand-in/',
          '^src/teams-stand-in/',
          '^src/config/',
          '^src/domain/',
        ],
      },
    },
    {
      name: 'playground-uses-config-and-domain-types-only',
      severity: 'error',
      from: { path: '^src/playground/' },
      to: { path: '^src/(config|domain)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-main-uses-metrics',
      comment:
        'The Prometheus metrics (src/metrics) are wired in by the composition roots: the layers report through ' +
        'observer functions in their deps and never know prom-client.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/main/', '^src/metrics/'] },
      to: { path: ['^src/metrics/', 'node_modules/prom-client'] },
    },
    {
      name: 'metrics-stand-alone',
      comment: 'The metrics module knows labels and registries, nothing of the product.',
      severity: 'error',
      from: { path: '^src/metrics/' },
      to: { path: '^src/', pathNot: '^src/metrics/' },
    },
    {
      name: 'only-main-wires',
      comment: 'Nothing imports the composition roots.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/main/' },
      to: { path: '^src/main/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
