// `hearth hub user add NAME --role operator|carer|admin [--resident R ...] --config HUB.yaml`:
// the password is read from stdin (one line) or from the variable named by --password-env.
import { loadHubConfig } from '../../../config/load.ts';
import { EXIT } from '../../../core/process.ts';

async function readStdin(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk as string;
  return text.split(/\r?\n/)[0] ?? '';
}

export async function hubUserAddCommand(
  name: string,
  o: { config: string; role: string; resident: string[]; passwordEnv?: string; push?: string },
): Promise<{ code: number; text: string }> {
  const { config, problems } = loadHubConfig(o.config, { strictRefs: true });
  if (!config)
    return {
      code: EXIT.badInput,
      text: `${o.config}: not a valid hub file (${problems.length} problem(s)); run hearth check-config ${o.config}`,
    };
  let password: string;
  if (o.passwordEnv) {
    const v = process.env[o.passwordEnv];
    if (!v)
      return {
        code: EXIT.badInput,
        text: `hearth hub user add: ${o.passwordEnv} is not set in the environment`,
      };
    password = v;
  } else if (process.stdin.isTTY)
    return {
      code: EXIT.badInput,
      text: 'hearth hub user add: give the password on stdin (a pipe) or name a variable holding it with --password-env NAME',
    };
  else password = await readStdin();
  const { addUser } = await import('./staff-account.ts');
  return addUser(config, o.config, { name, role: o.role, residents: o.resident, password, pushUrl: o.push });
}
