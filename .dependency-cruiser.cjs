// The layering of DESIGN.md, kept by machine: `npm run lint` fails when an import breaks it.
const IO = '^(node:)?(fs|fs/promises|net|tls|dgram|child_process|http|https|worker_threads)$|^node_modules/(better-sqlite3|mqtt|aedes|serialport|@serialport|@abandonware|pino|pino-pretty|node-cron)/';

module.exports = {
  forbidden: [
    {
      name: 'core-below-everything',
      comment: 'core/ is the ground floor every stage stands on: node built-ins and zod only.',
      severity: 'error',
      from: { path: '^core/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(gateway|firmware-bridge|cloud-relay|config|test)/|node_modules/(?!zod/)' },
    },
    {
      name: 'pure-rules-and-summaries',
      comment: 'Rules and summaries are pure reducers: time and data come in as arguments, no I/O.',
      severity: 'error',
      from: { path: '^gateway/(rules|summaries)/' },
      to: { path: [IO, '^gateway/(store|cli)/', '^gateway/(main|log|clock)\\.ts$', '^firmware-bridge/', '^cloud-relay/uplink/'] },
    },
    {
      name: 'pure-config',
      comment: 'config/ parses and checks without I/O; only load.ts reads files and the environment.',
      severity: 'error',
      from: { path: '^config/', pathNot: '^config/load\\.ts$' },
      // node-cron's expression check is pure; the schema uses it to validate schedules.
      to: { path: IO, pathNot: '^node_modules/node-cron/' },
    },
    {
      name: 'config-imports-no-stage',
      comment: 'The provisioning schema stands below every stage.',
      severity: 'error',
      from: { path: '^config/' },
      to: { path: '^(gateway|firmware-bridge|cloud-relay)/' },
    },
    {
      name: 'devices-never-import-the-relay',
      comment: 'Device code turns bytes into Readings; what leaves the home is not its business.',
      severity: 'error',
      from: { path: '^firmware-bridge/' },
      to: { path: '^cloud-relay/' },
    },
    {
      name: 'hub-imports-only-protocol-and-config',
      comment: "The trust's hub shares the contract with the home, never the home's code.",
      severity: 'error',
      from: { path: '^cloud-relay/hub/' },
      to: { path: '^(gateway|firmware-bridge|cloud-relay/uplink)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'], exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
