/**
 * The demo's `docker login` step (scripts/demo.js) run on its own: the password goes to docker-credential-gcauth
 * through credHelpers, so Docker neither stores it unencrypted nor warns; the step explains Docker's https-first info line.
 */
import {accessSync, constants} from 'node:fs';
import path from 'node:path';

import {execa} from 'execa';

import {emulatorEnv, runCli} from '../helpers/cli.js';
import {repoRoot, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {sayWhySkipped} from '../helpers/skip.js';

interface DemoStep {
  title: string;
  note?: string;
  exec?: (s: Record<string, unknown>) => {file: string; argv: string[]; input: string; env: Record<string, string>};
  check: (r: {stdout: string; stderr: string}) => void;
}

const docker = (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
  try {
    accessSync(path.join(dir, 'docker'), constants.X_OK);
    return true;
  } catch {
    return false;
  }
});
if (!docker) sayWhySkipped('the demo docker login step skipped: docker is not on PATH');

(docker ? describe : describe.skip)("the demo's docker login step", () => {
  let emu: EmulatorProcess;
  beforeAll(async () => {
    emu = await startEmulatorProcess();
  });
  afterAll(() => emu?.stop());

  test('logs in with the password handed to gcauth, no unencrypted-storage warning, the info line explained', async () => {
    const demo = (await import(path.join(repoRoot, 'scripts', 'demo.js'))) as {STEPS: DemoStep[]};
    const step = demo.STEPS.find((s) => s.title.startsWith('Log the docker CLI in'))!;
    expect(step.note).toMatch(/https attempt before the plain-http fallback/);
    const root = tmpDir();
    const env = {...emulatorEnv(emu.url, path.join(root, 'config')), PATH: process.env.PATH ?? '', HOME: root};
    expect((await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env})).exitCode).toBe(0);
    const token = (await runCli(['auth', 'print-access-token'], {env})).stdout.trim();
    const {file, argv, input, env: stepEnv} = step.exec!({root, url: emu.url, env, pusherToken: token});
    const result = await execa(file, argv, {input, env: stepEnv, extendEnv: false, reject: false});
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toMatch(/unencrypted/);
    expect(() => step.check(result)).not.toThrow();
  });
});
