/**
 * The dependency rule (docs/architecture.md, README "Architecture"): imports run one way,
 *
 *   core  ←  app  ←  adapters (store, notify, collect, artifacts)  ←  entry points (handler, cli, distributed)
 *                 ←  report (renderers)
 *
 * lambda/core is pure: no AWS SDK, Kubernetes client, file or network module, nor any module outside
 * the core. lambda/app owns the pipeline, run records, notification building and the ports; it
 * imports only the core. Adapters implement the app's ports and never import each other, the
 * renderers or the entry points.
 */
const ADAPTERS = '^lambda/(store|notify|collect|securityhub|reports|artifacts)/';
const IO_BUILTINS =
  '^(fs|fs/promises|http|https|http2|net|tls|dgram|dns|child_process|worker_threads|cluster|process|os)$';
const NPM = ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'];

module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'lambda/core must not import I/O (AWS SDK, Kubernetes client, fs, net, http) or adapters.',
      severity: 'error',
      from: { path: '^lambda/core/' },
      to: {
        pathNot: '^lambda/core/',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'core-no-io-builtins',
      severity: 'error',
      from: { path: '^lambda/core/' },
      to: {
        dependencyTypes: ['core'],
        path: IO_BUILTINS,
      },
    },
    {
      name: 'core-no-npm',
      severity: 'error',
      from: { path: '^lambda/core/' },
      to: { dependencyTypes: NPM },
    },
    {
      name: 'app-imports-core-only',
      comment:
        'lambda/app defines the ports the adapters implement; it imports the core and itself, never an adapter, renderer or entry point.',
      severity: 'error',
      from: { path: '^lambda/app/' },
      to: { path: '^lambda/', pathNot: '^lambda/(app|core)/' },
    },
    {
      name: 'app-no-io',
      comment:
        'lambda/app reaches the outside only through its ports (no SDK, no npm package, no I/O module).',
      severity: 'error',
      from: { path: '^lambda/app/' },
      to: { dependencyTypes: NPM },
    },
    {
      name: 'app-no-io-builtins',
      severity: 'error',
      from: { path: '^lambda/app/' },
      to: { dependencyTypes: ['core'], path: IO_BUILTINS },
    },
    {
      name: 'notify-not-store',
      comment: 'The publisher gets a built message; what a run stored reaches it only through the app.',
      severity: 'error',
      from: { path: '^lambda/notify/' },
      to: { path: '^lambda/store/' },
    },
    {
      name: 'adapters-not-each-other',
      comment: 'store, notify and collect each implement a port of lambda/app; they meet only in the app.',
      severity: 'error',
      from: { path: ADAPTERS },
      to: { path: ADAPTERS, pathNot: '^lambda/$1/' },
    },
    {
      name: 'adapters-not-entry-points',
      comment: 'Adapters do not reach up into the renderers, the CLI, the handler or its configuration.',
      severity: 'error',
      from: { path: ADAPTERS },
      to: { path: '^lambda/(report|cli)/|^lambda/(handler|config)[.]ts$' },
    },
    {
      name: 'report-renders-only',
      comment:
        'lambda/report renders results: core and app data, and the types of the store queries it renders.',
      severity: 'error',
      from: { path: '^lambda/report/' },
      to: {
        path: `${ADAPTERS}|^lambda/cli/|^lambda/(handler|config)[.]ts$`,
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'entry-points-not-imported',
      comment: 'The handler and the CLI wire the adapters into the app; nothing in lambda/ imports them.',
      severity: 'error',
      from: { pathNot: '^lambda/cli/' },
      to: { path: '^lambda/cli/|^lambda/handler[.]ts$' },
    },
    {
      name: 'settings-are-pure',
      comment:
        'lambda/settings (the settings table) is read by the Lambda, the CDK app and the CLI: pure data and functions, importing only the core and lambda/app/notify-mode.',
      severity: 'error',
      from: { path: '^lambda/settings/' },
      to: {
        pathNot: '^(lambda/settings/|lambda/core/|lambda/app/notify-mode\\.ts$)',
      },
    },
    {
      name: 'production-not-tooling',
      comment:
        'The Lambda, the CLI and the CDK app (lambda/, infra/) ship; scripts/, bench/ and test/ are tooling that may import them, never the other way round.',
      severity: 'error',
      from: { path: '^(lambda|infra)/' },
      to: { path: '^(scripts|bench|test)/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
