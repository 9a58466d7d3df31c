// The command line (DESIGN.md section 9). Exit codes: 0 ok, 1 failed, 2 refused input.
import { Command, CommanderError } from 'commander';
import { jsonSchema } from '../../config/json-schema.ts';
import { checkConfigCommand } from './check-config.ts';
import { demoCommand } from './demo.ts';
import { EXIT, out } from './exit.ts';
import { runCommand } from './run.ts';

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
    code = await runCommand(o.config);
  });

program
  .command('check-config')
  .description('check a provisioning file: exit 0 if valid, 2 with every problem listed')
  .argument('<file>', 'provisioning file (YAML or JSON)')
  .action(async (file: string) => {
    const r = checkConfigCommand(file);
    await out(r.text);
    code = r.code;
  });

program
  .command('demo')
  .description('run the gateway on embedded defaults, with its database in a temporary folder')
  .action(async () => {
    code = await demoCommand();
  });

program
  .command('schema')
  .description('print the JSON Schema of the provisioning file (config/schema.json)')
  .action(async () => {
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
