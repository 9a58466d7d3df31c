// The layering of DESIGN.md, kept by machine: `npm run lint` fails when an import breaks it.
const IO = '^(node:)?(fs|fs/promises|net|tls|dgram|child_process|http|https|worker_threads)$|^node_modules/(better-sqlite3|mqtt|aedes|serialport|@serialport|@abandonware|pino|pino-pretty|node-cron)/';

module.exports = {
  forbidden: [
    {
      name: 'core-below-everything',
      comment:
        'core/ is the ground floor every stage stands on: node built-ins and zod, and pino for the one logger of both ends.',
      severity: 'error',
      from: { path: '^core/', pathNot: '\\.test\\.ts$' },
      to: { path: '^(gateway|firmware-bridge|cloud-relay|config|tools|test)/|node_modules/(?!zod/|pino/)' },
    },
    {
      name: 'pino-only-in-the-logger',
      comment: 'Of core/, only log.ts may use pino: the rest stays on node built-ins and zod.',
      severity: 'error',
      from: { path: '^core/', pathNot: '^core/log\\.ts$|\\.test\\.ts$' },
      to: { path: 'node_modules/pino/' },
    },
    {
      name: 'pure-rules-and-summaries',
      comment: 'Rules, care modes and summaries are pure reducers: time and data come in as arguments, no I/O.',
      severity: 'error',
      from: { path: '^gateway/(rules|summaries|modes)/' },
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
      to: { path: '^(gateway|firmware-bridge|cloud-relay|tools)/' },
    },
    {
      name: 'devices-never-import-the-relay',
      comment: 'Device code turns bytes into Readings; what leaves the home is not its business.',
      severity: 'error',
      from: { path: '^firmware-bridge/' },
      to: { path: '^cloud-relay/' },
    },
    {
      name: 'hub-imports-only-core-protocol-and-config',
      comment: "The trust's hub shares the ground floor and the contract with the home, never the home's code.",
      severity: 'error',
      from: { path: '^cloud-relay/hub/' },
      to: { path: '^(gateway/|firmware-bridge/|test/|tools/|cloud-relay/(?!hub/|protocol/))' },
    },
    {
      name: 'the-hub-never-imports-its-console',
      comment:
        "The care console imports the hub; the hub is handed its console (startHub's web) by its command line (cloud-relay/hub/cli/), which puts the hub process together.",
      severity: 'error',
      from: { path: '^cloud-relay/hub/', pathNot: '^cloud-relay/hub/(console|cli)/' },
      to: { path: '^cloud-relay/hub/console/' },
    },
    {
      name: 'tools-only-through-the-command-line',
      comment:
        'tools/ (the demo, the benchmarks, the simulators and what tests stand up) is not the product: no stage imports it, and the command line loads its commands only when they run.',
      severity: 'error',
      from: { path: '^(core|gateway|firmware-bridge|cloud-relay|config)/', pathNot: '^gateway/cli/program\\.ts$' },
      to: { path: '^tools/' },
    },
    {
      name: 'uplink-on-its-ports',
      comment:
        "The relay and the pusher depend on their ports (cloud-relay/uplink/outbox.ts), which the gateway's store implements, never on the store.",
      severity: 'error',
      from: { path: '^cloud-relay/uplink/' },
      to: { path: '^gateway/store/' },
    },
    {
      name: 'sqlite-only-in-the-stores',
      comment:
        "The gateway's SQL lives in gateway/store/ (the CLI's status and data-rights commands call store modules); the hub's database is opened in cloud-relay/hub/db.ts. Tests may read a file themselves.",
      severity: 'error',
      from: { pathNot: '^gateway/store/|^cloud-relay/hub/db\\.ts$|^test/' },
      to: { path: 'node_modules/(@types/)?better-sqlite3/' },
    },
    {
      name: 'the-store-connection-for-tests-only',
      comment: "gateway/store/inspect.ts hands out the store's SQLite connection: for tests, never the gateway.",
      severity: 'error',
      from: { pathNot: '^gateway/store/|^test/' },
      to: { path: '^gateway/store/inspect\\.ts$' },
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
