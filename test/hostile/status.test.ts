// `hearth status` reads the gateway's retained status on its local broker: whatever another
// program put there (garbage, or a newer gateway's shape) must not stop the technician's tool.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { runHearth, startHearth } from '../helpers/cli.ts';
import { homeFile } from '../helpers/home-file.ts';
import { tempDir } from '../helpers/tmp.ts';

describe('hearth status against a garbled local status', () => {
  it('answers from the running gateway when the retained status on hearth/local/status is not JSON', async () => {
    const home = await homeFile(tempDir());
    const gw = startHearth(['run', '--config', home.file], home.env);
    try {
      await gw.waitFor(/gateway running/);
      const cred = JSON.parse(readFileSync(join(dirname(home.db), 'local-broker.json'), 'utf8'));
      const port = Number(/port: (\d+)/.exec(home.text)?.[1]);
      const c = await mqtt.connectAsync({
        host: '127.0.0.1',
        port,
        username: cred.username,
        password: cred.password,
      });
      for (const garbage of ['7', 'null', '{"report":', '[[[[[[', 'not json'])
        await c.publishAsync('hearth/local/status', garbage, { qos: 1, retain: true });
      await c.endAsync();
      const r = await runHearth(['status', '--config', home.file]);
      expect(r.output).not.toMatch(/SyntaxError|TypeError|at .*\.js:\d+/);
      expect(r.output).toMatch(/^Hearth gw-0042: running/);
      expect(r.code).toBe(0);
    } finally {
      gw.child.kill('SIGTERM');
      await gw.exited;
    }
  });
});
