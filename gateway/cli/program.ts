// The command line (DESIGN.md section 9). Exit codes: 0 ok, 1 failed, 2 refused input.
// Each command loads its own modules when it runs: check-config need not load a broker.
import { Command, CommanderError, Option } from 'commander';
import type { HubConfig } from '../../config/hub-schema.ts';
import { EXIT, out, write } from '../../core/process.ts';

const program = new Command('hearth')
  .description('Hearth home-monitoring gateway')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

let code: number = EXIT.ok;

program
  .command('run')
  .description('run the gateway (live)')
  .requiredOption('--config <file>', 'provisioning file (YAML or JSON)')
  .action(async (o: { config: string }) => {
    const { runCommand } = await import('./run.ts');
    code = await runCommand(o.config);
  });

program
  .command('check-config')
  .description('check a provisioning file: exit 0 if valid, 2 with every problem listed')
  .argument('<file>', 'provisioning file (YAML or JSON)')
  .option(
    '--strict-refs',
    'a ${env:..} or ${file:..} that cannot be resolved here is an error, as it is for hearth run',
  )
  .action(async (file: string, o: { strictRefs?: boolean }) => {
    const { checkConfigCommand } = await import('./check-config.ts');
    const r = checkConfigCommand(file, { strictRefs: o.strictRefs === true });
    await out(r.text);
    code = r.code;
  });

program
  .command('replay')
  .description('run the rules over recorded Readings in simulated time; print every message as a JSON line')
  .requiredOption('--config <file>', 'provisioning file')
  .requiredOption('--input <events>', 'EVENTS.jsonl: one {"at","device","value"[,"kind"]} per line')
  .option('--until <iso>', 'stop at this instant instead of the last line')
  .option('--db <file>', 'keep the state in this database, to resume a replay stopped with --until')
  .option('--ack-after <duration>', 'a care team that acknowledges each alert this long after it arrives')
  .action(async (o: { config: string; input: string; until?: string; db?: string; ackAfter?: string }) => {
    const lines: string[] = [];
    const { replayCommand } = await import('./replay.ts');
    code = await replayCommand(o, (l) => lines.push(l));
    if (lines.length) await out(lines.join('\n'));
  });

program
  .command('evaluate')
  .description(
    "a home's rules against a recorded home: false alerts a month, and the time to detect simulated collapses",
  )
  .option('--home <dir>', 'a labelled home: devices.json, events.jsonl, activities.json')
  .option('--template <file>', 'with --home: the provisioning file whose rules apply (the reference home)')
  .option('--sensors <which>', 'with --home: all, or motion (PIRs only)', 'all')
  .option('--config <file>', 'a provisioning file (instead of --home)')
  .option('--input <events>', 'with --config: EVENTS.jsonl')
  .option('--labels <file>', 'with --config: hand labels as activities.json (Leaving, Sleeping)')
  .option('--ack-after <duration>', 'the care team acknowledges each alert this long after it arrives', '15m')
  .option(
    '--answer-after <duration>',
    'the resident, who is fine, answers each prompt this long after it sounds (unless out); never: she never does',
    '1m',
  )
  .option('--warmup <duration>', 'the first days, reported apart (too little history to learn from)', '7d')
  .option('--collapses <n>', 'simulated collapses by day, and as many by night', '20')
  .option('--seed <n>', 'chooses the collapse instants', '1')
  .option('--alerts', 'each alert raised, with its time and the sentence a carer read')
  .option('--json', 'one JSON object (each alert listed)')
  .action(async (o) => {
    const { evaluateCommand } = await import('./evaluate.ts');
    let text = '';
    code = evaluateCommand(o, (t) => {
      text = t;
    });
    if (text) await out(text);
  });

program
  .command('demo')
  .description(
    'a simulated home in time-lapse: the real gateway, a simulated day and night, a monitoring centre',
  )
  .option('--speed <n>', 'simulated seconds per real second (1800: an hour every 2 s), or max', '1800')
  .option('--days <n>', 'how many days to play', '1')
  .option('--seed <n>', 'moves the day a little, differently for each seed', '1')
  .option('--json', 'one JSON object per event, for machines')
  .option('--no-color', 'no colour, even on a terminal')
  .option('--console', "after the day, keep the trust's hub and its care console running")
  .action(async (o: import('../../tools/demo/command.ts').DemoFlags) => {
    const { demoCommand } = await import('../../tools/demo/command.ts');
    code = await demoCommand(o);
  });

const simulate = program
  .command('simulate')
  .description('a device without the device, for tests and set-up checks');
simulate
  .command('serial')
  .description('play a serial device on a port (a pty, a looped USB-UART) until Ctrl-C')
  .requiredOption('--driver <name>', 'ld2410, jsonl or firmata')
  .requiredOption('--port <path>', 'the serial port to talk on')
  .option('--sensor <name>', 'jsonl: the sensor name printed', 'chair1')
  .option('--kind <kind>', 'jsonl: the kind printed', 'chair')
  .option('--pattern <steps>', 'what it senses, looped', 'present 30s, absent 60s')
  .option('--baud <n>', "baud rate (default: the driver's own)")
  .option('--firmata <version>', 'firmata: the StandardFirmata played, 2.5 or 2.4 (no INPUT_PULLUP)', '2.5')
  .action(
    async (o: {
      driver: string;
      port: string;
      sensor: string;
      kind: string;
      pattern: string;
      baud?: string;
      firmata: string;
    }) => {
      const { simulateCommand } = await import('../../tools/sim/serial-command.ts');
      code = await simulateCommand(o);
    },
  );

simulate
  .command('homes')
  .description(
    "many homes at the trust's broker: a connection, last will, heartbeats, alerts and a daily summary each, until Ctrl-C; --broker takes several URLs, comma-separated",
  )
  .requiredOption('--broker <url>', "the trust's broker, e.g. mqtts://broker.example:8883")
  .option('--count <n>', 'how many homes', '1000')
  .option('--heartbeat <duration>', "each home's heartbeat interval", '60s')
  .option('--ca <file>', "the CA that signed the broker's certificate (PEM)")
  .option('--cert <file>', 'a client certificate for every home (PEM)')
  .option('--key <file>', "that certificate's key (PEM)")
  .option('--username <name>', 'MQTT user name')
  .option('--password-env <name>', 'the environment variable holding the MQTT password')
  .option(
    '--alerts-per-day <n>',
    'alert episodes (raised, acknowledged, resolved) a home starts a day',
    '0.05',
  )
  .option('--alert-lasts <duration>', "an alert episode's length, raised to resolved", '5m')
  .option('--burst <homes>', 'once all are up, this many homes drop without a goodbye and come back', '0')
  .option('--burst-within <duration>', 'the burst homes come back spread over this time', '1m')
  .option('--burst-offline <duration>', 'the time offline whose backlog each burst home brings back', '1h')
  .option('--burst-after <duration>', 'the wait, once all are up, before the burst', '0s')
  .option('--processes <n>', 'spread the homes over this many processes (open files, cores)', '1')
  .addOption(new Option('--slice <k/n>', 'one process of several (--processes)').hideHelp())
  .action(async (o: import('../../tools/sim/homes-command.ts').SimulateHomesOptions) => {
    const { simulateHomesCommand } = await import('../../tools/sim/homes-command.ts');
    code = await simulateHomesCommand(o);
  });

const scan = program.command('scan').description('find devices to put in the provisioning file');
scan
  .command('serial')
  .description("list serial ports, try each driver's handshake, print ready-to-paste device rows")
  .option(
    '--port <path>',
    'scan this port instead of listing them (repeatable)',
    (v: string, a: string[]) => [...a, v],
    [] as string[],
  )
  .action(async (o: { port: string[] }) => {
    const { scanSerialCommand } = await import('./scan.ts');
    code = await scanSerialCommand(o, (l) => void out(l));
  });
scan
  .command('ble')
  .description(
    'listen for BLE devices and print what each is with a ready-to-paste device row; exit 1 without Bluetooth',
  )
  .option('--seconds <n>', 'how long to listen', '10')
  .action(async (o: { seconds: string }) => {
    const { scanBleCommand } = await import('./scan-ble.ts');
    code = await scanBleCommand(o, (l) => void out(l));
  });

program
  .command('decode')
  .description('decode one BLE payload as the gateway would; JSON out, exit 2 with the reason if bad')
  .argument('<type>', 'bthome (service data), ibeacon (manufacturer data) or heart-rate (0x2A37 value)')
  .argument('<hex>', 'the payload in hex, e.g. 403a01')
  .option('--bindkey <key>', 'bthome: the 32-hex-digit bind key, or ${env:NAME} / ${file:PATH}')
  .option('--address <mac>', 'bthome: the advertiser address, part of an encrypted advert nonce')
  .action(async (type: string, hex: string, o: { bindkey?: string; address?: string }) => {
    const { decodeCommand } = await import('./decode.ts');
    const r = decodeCommand(type, hex, o);
    if (r.stderr) process.stderr.write(`${r.stderr}\n`);
    if (r.stdout) await out(r.stdout);
    code = r.code;
  });

const CONFIG_ON_PI = '/etc/hearth/home.yaml';

program
  .command('status')
  .description('sources, open alerts, queue, storage, backup, clock and versions at a glance')
  .option('--config <file>', 'provisioning file', CONFIG_ON_PI)
  .option('--json', 'one JSON object, for machines')
  .action(async (o: { config: string; json?: boolean }) => {
    const { statusCommand } = await import('./status.ts');
    const lines: string[] = [];
    code = await statusCommand(o, (l) => lines.push(l));
    await out(lines.join('\n'));
  });

program
  .command('mode')
  .description('set a care mode in the home (away, visitor, paused) until a time, or end it (off)')
  .argument('<mode>', 'away, visitor, paused or off')
  .option('--until <when>', 'a date (2026-12-24: through that day), a local time (18:00) or an ISO time')
  .option('--for <duration>', 'from now, a duration such as 2h or 3d')
  .option('--by <name>', 'who sets it (shown with the mode and in its alerts)')
  .option('--config <file>', 'provisioning file', CONFIG_ON_PI)
  .option('--json', "the gateway's answer as JSON")
  .action(async (mode: string, o: import('./mode.ts').ModeFlags) => {
    const { modeCommand } = await import('./mode.ts');
    const lines: string[] = [];
    code = await modeCommand(mode, o, (l) => lines.push(l));
    await out(lines.join('\n'));
  });

program
  .command('export')
  .description('write everything held about the resident as JSON (stop the gateway first)')
  .option('--config <file>', 'provisioning file', CONFIG_ON_PI)
  .option('--since <date>', 'only what was recorded from this date (2026-03-01) or ISO time on')
  .action(async (o: { config: string; since?: string }) => {
    const { exportCommand } = await import('./data-rights.ts');
    code = await exportCommand(o, write, (l) => out(l));
  });

program
  .command('forget')
  .description("erase the resident's data before a date, or all of it (stop the gateway first)")
  .option('--config <file>', 'provisioning file', CONFIG_ON_PI)
  .option('--before <date>', 'erase what was recorded before this date (2026-03-01) or ISO time')
  .option('--all', 'erase everything, rule state and backups included')
  .action(async (o: { config: string; before?: string; all?: boolean }) => {
    const { forgetCommand } = await import('./data-rights.ts');
    code = await forgetCommand(o, (l) => out(l));
  });

program
  .command('bench')
  .description('measure speed and memory; prints a table, or one JSON object with --json')
  .option('--json', 'one JSON object, keys naming figure and unit')
  .option('--quick', 'fewer readings and less history (a smoke run)')
  .action(async (o: { json?: boolean; quick?: boolean }) => {
    const { runBench, table } = await import('../../tools/bench/run.ts');
    const figures = await runBench({ json: Boolean(o.json), quick: o.quick });
    await out(o.json ? JSON.stringify(figures) : table(figures));
  });

const hub = program
  .command('hub')
  .description("the trust's hub: receive every home's messages into the database, supervise, send commands")
  .option('--config <file>', 'hub file (YAML or JSON, see config/examples/hub.yaml)')
  .option('--instance <name>', 'name of this instance (MQTT client id hub-<name>); default hub.instance')
  .action(async (o: { config?: string; instance?: string }) => {
    if (!o.config) throw new CommanderError(2, 'hub.config', 'hearth hub: --config <file> is required');
    const { hubCommand } = await import('../../cloud-relay/hub/cli/hearth-hub.ts');
    code = await hubCommand(o.config, o.instance);
  });
hub
  .command('ack')
  .description('acknowledge an alert for the care team: record who, send the ack to the home')
  .argument('<alert-id>', 'the alert_id')
  .requiredOption('--by <name>', 'who acknowledges')
  .option('--config <file>', 'hub file')
  .action(async (alertId: string, o: { by: string; config?: string }) => {
    const config = o.config ?? (hub.opts() as { config?: string }).config;
    if (!config) throw new CommanderError(2, 'hub.ack.config', 'hearth hub ack: --config <file> is required');
    const { hubAckCommand } = await import('../../cloud-relay/hub/cli/hearth-hub.ts');
    const r = await hubAckCommand(config, alertId, o.by);
    await out(r.text);
    code = r.code;
  });
hub
  .command('mode')
  .description("set a home's care mode (away, visitor, paused) until a time, or end it (off)")
  .argument('<home>', "the home's gateway id, or its resident's id")
  .argument('<mode>', 'away, visitor, paused or off')
  .requiredOption('--by <name>', 'who sets it')
  .option('--until <when>', 'a date (2026-12-24: through that day), a local time (18:00) or an ISO time')
  .option('--for <duration>', 'from now, a duration such as 2h or 3d')
  .option('--config <file>', 'hub file')
  .action(
    async (home: string, mode: string, o: { by: string; until?: string; for?: string; config?: string }) => {
      const config = o.config ?? (hub.opts() as { config?: string }).config;
      if (!config)
        throw new CommanderError(2, 'hub.mode.config', 'hearth hub mode: --config <file> is required');
      const { hubModeCommand } = await import('../../cloud-relay/hub/cli/hearth-hub.ts');
      const r = await hubModeCommand(config, home, mode, o);
      await out(r.text);
      code = r.code;
    },
  );
hub
  .command('user')
  .description("staff accounts of the care console, in the hub's database")
  .command('add')
  .description('add (or replace) an account; the password is read from stdin, or from --password-env')
  .argument('<name>', 'the name the person signs in with')
  .requiredOption('--role <role>', 'operator (every home), carer (assigned residents) or admin')
  .option('--resident <id...>', 'a resident this person cares for (repeat for several)', [])
  .option('--password-env <name>', 'the environment variable holding the password')
  .option(
    '--push <url>',
    "a carer's ntfy-compatible topic URL: their residents' urgent alerts are pushed there",
  )
  .option('--config <file>', 'hub file')
  .action(
    async (
      name: string,
      o: { role: string; resident: string[]; passwordEnv?: string; push?: string; config?: string },
    ) => {
      // `hearth hub` has a --config of its own, which takes the option wherever it is written.
      const config = o.config ?? (hub.opts() as { config?: string }).config;
      if (!config)
        throw new CommanderError(2, 'hub.user.config', 'hearth hub user add: --config <file> is required');
      const { hubUserAddCommand } = await import('../../cloud-relay/hub/cli/user-add.ts');
      const r = await hubUserAddCommand(name, { ...o, config });
      await out(r.text);
      code = r.code;
    },
  );

hub
  .command('records')
  .description(
    "residents' records at the trust (name, address, phones, next of kin...), in the hub's database",
  )
  .command('load')
  .description('load records from a YAML or JSON file, all or none; every problem named')
  .argument('<file>', 'a list of records, or records: holding one (see README: Resident records)')
  .requiredOption('--by <name>', 'who loads them (the audit log names them)')
  .option('--config <file>', 'hub file')
  .action(async (file: string, o: { by: string; config?: string }) => {
    const config = o.config ?? (hub.opts() as { config?: string }).config;
    if (!config)
      throw new CommanderError(
        2,
        'hub.records.config',
        'hearth hub records load: --config <file> is required',
      );
    const { hubRecordsLoadCommand } = await import('../../cloud-relay/hub/cli/records-load.ts');
    const r = await hubRecordsLoadCommand(file, { config, by: o.by });
    await out(r.text);
    code = r.code;
  });

const resident = hub
  .command('resident')
  .description(
    "a resident's data at the trust: a subject access request (export) or an erasure request (erase)",
  );
/** The hub file, from the subcommand or from `hearth hub --config`, loaded; or why not. */
async function hubFile(
  o: { config?: string },
  what: string,
): Promise<{ code: number; text: string } | { file: string; config: HubConfig }> {
  const file = o.config ?? (hub.opts() as { config?: string }).config;
  if (!file) return { code: EXIT.badInput, text: `hearth hub resident ${what}: --config <file> is required` };
  const { loadHubConfig } = await import('../../config/load.ts');
  const { config, problems } = loadHubConfig(file, { strictRefs: true });
  if (!config)
    return {
      code: EXIT.badInput,
      text: `${file}: not a valid hub file (${problems.length} problem(s)); run hearth check-config ${file}`,
    };
  return { file, config };
}
resident
  .command('export')
  .description('everything the hub holds about her, as one JSON document (stdout, or --out)')
  .argument('<id>', "the resident's id")
  .option('--out <file>', 'write the document to this file (mode 0600) instead of stdout')
  .option('--by <name>', 'who asks, for the audit log (default: this user)')
  .option('--config <file>', 'hub file')
  .action(async (id: string, o: { out?: string; by?: string; config?: string }) => {
    const f = await hubFile(o, 'export');
    if ('text' in f) {
      process.stderr.write(`${f.text}\n`);
      code = f.code;
      return;
    }
    const { residentExportCommand } = await import('../../cloud-relay/hub/cli/resident.ts');
    const r = await residentExportCommand(f.config, f.file, id, o);
    if (r.code === EXIT.ok) await out(r.text);
    else process.stderr.write(`${r.text}\n`);
    code = r.code;
  });
resident
  .command('erase')
  .description(
    'delete everything the hub holds about her (or only what is older than --before); one audit line says what',
  )
  .argument('<id>', "the resident's id")
  .option('--before <date>', 'only records older than this date (2025-06-30, in hub.timezone) or ISO time')
  .option('--by <name>', 'who erases, for the audit log (default: this user)')
  .option('--config <file>', 'hub file')
  .action(async (id: string, o: { before?: string; by?: string; config?: string }) => {
    const f = await hubFile(o, 'erase');
    if ('text' in f) {
      process.stderr.write(`${f.text}\n`);
      code = f.code;
      return;
    }
    const { residentEraseCommand } = await import('../../cloud-relay/hub/cli/resident.ts');
    const r = await residentEraseCommand(f.config, f.file, id, o);
    if (r.code === EXIT.ok) await out(r.text);
    else process.stderr.write(`${r.text}\n`);
    code = r.code;
  });

program
  .command('schema')
  .description('print the JSON Schema of the provisioning file (config/schema.json)')
  .action(async () => {
    const { jsonSchema } = await import('../../config/json-schema.ts');
    await out(JSON.stringify(jsonSchema(), null, 2));
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) code = e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  else {
    process.stderr.write(`hearth: ${(e as Error).message}\n`);
    code = EXIT.failed;
  }
}
process.exitCode = code;
// Stray handles (a stuck socket) must not keep a finished command alive.
setTimeout(() => process.exit(code), 100).unref();
