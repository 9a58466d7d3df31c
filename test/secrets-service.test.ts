// Secrets as hearth.service receives them: the environment (its EnvironmentFile=), systemd
// credentials ($CREDENTIALS_DIRECTORY), and `check-config --strict-refs`, the check install.sh
// runs as the service before starting it.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSecret } from '../config/load.ts';
import { ROOT, runHearth } from './helpers/cli.ts';
import { tempDir } from './helpers/tmp.ts';

const HOME = join(ROOT, 'config/examples/home.yaml');

describe('${env:NAME} under systemd', () => {
  it('is the environment variable, else the credential NAME, the environment first', () => {
    const creds = tempDir();
    writeFileSync(join(creds, 'HEARTH_Z2M_PASSWORD'), 'from-credential\n');
    const env = { CREDENTIALS_DIRECTORY: creds };
    expect(resolveSecret('${env:HEARTH_Z2M_PASSWORD}', env)).toBe('from-credential');
    expect(resolveSecret('${env:HEARTH_Z2M_PASSWORD}', { ...env, HEARTH_Z2M_PASSWORD: 'from-env' })).toBe(
      'from-env',
    );
  });

  it('names both places when neither holds it, and never reads outside the credentials folder', () => {
    const creds = tempDir();
    mkdirSync(join(creds, 'sub'));
    writeFileSync(join(creds, 'sub', 'X'), 'secret');
    const env = { CREDENTIALS_DIRECTORY: join(creds, 'sub', '..') };
    expect(() => resolveSecret('${env:MISSING}', env)).toThrow(
      'environment variable MISSING is not set, and there is no credential MISSING',
    );
    expect(() => resolveSecret('${env:sub/X}', env)).toThrow('environment variable sub/X is not set');
    expect(() => resolveSecret('${env:..}', env)).toThrow('environment variable .. is not set');
    expect(() => resolveSecret('${env:MISSING}', {})).toThrow(/^environment variable MISSING is not set$/);
  });

  it('refuses an empty credential as it refuses an empty key file', () => {
    const creds = tempDir();
    writeFileSync(join(creds, 'EMPTY'), '\n');
    expect(() => resolveSecret('${env:EMPTY}', { CREDENTIALS_DIRECTORY: creds })).toThrow(
      `${join(creds, 'EMPTY')} is empty`,
    );
  });
});

describe('check-config --strict-refs', () => {
  it('refuses the reference file when its two secrets are not where the service looks (exit 2)', async () => {
    const env = { HEARTH_Z2M_PASSWORD: '', CREDENTIALS_DIRECTORY: '' };
    const lax = await runHearth(['check-config', HOME], env);
    expect(lax.code).toBe(0);
    expect(lax.output).toContain('warnings  2:');
    const strict = await runHearth(['check-config', '--strict-refs', HOME], env);
    expect(strict.code).toBe(2);
    expect(strict.output).toContain(
      '${env:HEARTH_Z2M_PASSWORD} cannot be resolved: environment variable HEARTH_Z2M_PASSWORD is not set',
    );
    expect(strict.output).toContain('${file:/etc/hearth/keys/pendant.key} cannot be resolved');
    expect(strict.output).toContain('2 problems; the file was not accepted');
  });

  it('accepts it once the password is a credential and the key a readable file', async () => {
    const dir = tempDir();
    const creds = join(dir, 'credentials');
    mkdirSync(creds);
    writeFileSync(join(creds, 'HEARTH_Z2M_PASSWORD'), 'pw');
    const key = join(dir, 'pendant.key');
    writeFileSync(key, '231d39c1d7cc1ab1aee224cd096db932\n');
    const home = join(dir, 'home.yaml');
    writeFileSync(home, readFileSync(HOME, 'utf8').replace('/etc/hearth/keys/pendant.key', key));
    const r = await runHearth(['check-config', '--strict-refs', home], {
      HEARTH_Z2M_PASSWORD: '',
      CREDENTIALS_DIRECTORY: creds,
    });
    expect(r.output).toContain(`${home}: valid`);
    expect(r.code).toBe(0);
  });
});
