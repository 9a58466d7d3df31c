// `hearth run` as a technician meets it: a real process, a real database, real signals.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runHearth, startHearth } from './helpers/cli.ts';
import { homeFile } from './helpers/home-file.ts';
import { tempDir } from './helpers/tmp.ts';

const count = (text: string, re: RegExp) => text.match(new RegExp(re, 'g'))?.length ?? 0;

describe('hearth run', () => {
  it('stays up with every device absent, names each missing device once, and exits 0 on SIGTERM', async () => {
    const { file, env } = await homeFile(tempDir());
    const gw = startHearth(['run', '--config', file], env);
    await gw.waitFor(/gateway running/);
    gw.child.kill('SIGTERM');
    const { code } = await gw.exited;
    const out = gw.output();
    expect(code).toBe(0);
    expect(
      count(
        out,
        /missing bed-pad, lounge-pir, prompt: port \/dev\/serial\/by-id\/usb-Arduino_Uno_75833-if00 not found/,
      ),
    ).toBe(1);
    expect(count(out, /missing bedroom-radar: port/)).toBe(1);
    expect(count(out, /missing chair-pad: port \/dev\/ttyUSB1 not found/)).toBe(1);
    expect(count(out, /missing pendant, lounge-temp, wrist-tag, hr-band: no Bluetooth adapter/)).toBe(1);
    expect(out).toMatch(/"msg":"stopped"/);
    expect(out).not.toContain('not-a-real-password');
    expect(out).not.toContain('231d39c1d7cc1ab1aee224cd096db932');
  });

  it('exits 0 on SIGINT (Ctrl-C) as well', async () => {
    const { file, env } = await homeFile(tempDir());
    const gw = startHearth(['run', '--config', file], env);
    await gw.waitFor(/gateway running/);
    gw.child.kill('SIGINT');
    expect((await gw.exited).code).toBe(0);
  });

  it('refuses a second gateway on the same database, saying why', async () => {
    const { file, env } = await homeFile(tempDir());
    const first = startHearth(['run', '--config', file], env);
    await first.waitFor(/gateway running/);
    const second = await runHearth(['run', '--config', file], env);
    expect(second.code).toBe(1);
    expect(second.output).toMatch(/in use by another Hearth process/);
    expect(second.output).not.toMatch(/\n\s+at /);
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
  });

  it('refuses an invalid file with the check-config output and exit 2', async () => {
    const dir = tempDir();
    const { file, env } = await homeFile(dir);
    writeFileSync(file, readFileSync(file, 'utf8').replace('room: lounge }', 'room: lunge }'));
    const r = await runHearth(['run', '--config', file], env);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(
      /home\.yaml:\d+:\d+ {2}devices\.6\.room {2}unknown room "lunge" \(did you mean "lounge"\?\)/,
    );
  });

  it('treats an unresolved secret reference as an error when running', async () => {
    const { file } = await homeFile(tempDir());
    const r = await runHearth(['run', '--config', file], { HEARTH_Z2M_PASSWORD: '' });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(
      /local_broker\.users\.0\.password {2}\$\{env:HEARTH_Z2M_PASSWORD\} cannot be resolved: environment variable HEARTH_Z2M_PASSWORD is not set/,
    );
  });
});
