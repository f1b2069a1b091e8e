/**
 * The dependency rule of SPEC §2: lambda/core is pure. It may not import the AWS SDK, the Kubernetes
 * client, file/network modules, or any adapter outside the core.
 */
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
        path: '^(fs|fs/promises|http|https|http2|net|tls|dgram|dns|child_process|worker_threads|cluster|process|os)$',
      },
    },
    {
      name: 'core-no-npm',
      severity: 'error',
      from: { path: '^lambda/core/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
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
