/**
 * The README's complete config.yml for Debian's docker-registry, run as written (its ports and paths
 * replaced by this test's): the registry starts, challenges with the emulator as its token realm, and
 * takes a token the emulator issued.
 */
import {spawn} from 'node:child_process';
import {readFileSync, writeFileSync, mkdirSync} from 'node:fs';
import path from 'node:path';
import {createInterface} from 'node:readline';

import {repoRoot, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {freePort, REGISTRY_BIN, registryInstalled} from '../helpers/registry.js';
import {sayWhySkipped} from '../helpers/skip.js';

const installed = registryInstalled();
if (!installed) sayWhySkipped(`README registry config test skipped: ${REGISTRY_BIN} is not installed (apt-get install docker-registry)`);

(installed ? describe : describe.skip)("the README's docker-registry config", () => {
  let emu: EmulatorProcess;
  beforeAll(async () => {
    emu = await startEmulatorProcess();
  });
  afterAll(() => emu?.stop());

  test('starts as written and trusts the emulator as its token server', async () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const block = /```yaml\n(# \/tmp\/registry\/config\.yml[\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const dir = tmpDir();
    mkdirSync(path.join(dir, 'storage'));
    const port = await freePort();
    const config = block!
      .replaceAll('/tmp/registry', dir)
      .replaceAll('/tmp/emu', emu.dataDir)
      .replaceAll('EMULATOR_PORT', new URL(emu.url).port)
      .replace('127.0.0.1:5000', `127.0.0.1:${port}`);
    writeFileSync(path.join(dir, 'config.yml'), config);
    const child = spawn(REGISTRY_BIN, ['serve', path.join(dir, 'config.yml')], {env: {PATH: process.env.PATH ?? ''}, stdio: ['ignore', 'pipe', 'pipe']});
    try {
      let log = '';
      await new Promise<void>((resolve, reject) => {
        child.once('exit', (code) => reject(new Error(`docker-registry exited (${code}):\n${log}`)));
        for (const stream of [child.stdout!, child.stderr!]) {
          createInterface({input: stream}).on('line', (line) => {
            log += `${line}\n`;
            if (/listening on/.test(line)) resolve();
          });
        }
      });
      const challenge = await fetch(`http://127.0.0.1:${port}/v2/`);
      expect(challenge.status).toBe(401);
      expect(challenge.headers.get('www-authenticate')).toBe(`Bearer realm="${emu.url}/v2/token",service="gcauth-emulator-registry"`);

      const key = readFileSync(emu.ownerKeyFile, 'utf8');
      const tokenAnswer = await fetch(`${emu.url}/v2/token?service=gcauth-emulator-registry`, {
        headers: {authorization: `Basic ${Buffer.from(`_json_key:${key}`).toString('base64')}`},
      });
      expect(tokenAnswer.status).toBe(200);
      const {token} = (await tokenAnswer.json()) as {token: string};
      expect((await fetch(`http://127.0.0.1:${port}/v2/`, {headers: {authorization: `Bearer ${token}`}})).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
