import {chmodSync, mkdirSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {emulatorEnv, helperBin, runCli} from '../helpers/cli.js';
import {HEALTHY_VERDICTS} from '../helpers/doctor.js';
import {type EmulatorProcess, startEmulatorProcess, tmpDir} from '../helpers/emulator.js';

// The built `gcauth doctor` against the emulator process. The docker-group check reads this machine's real
// group database and ids, so its status is only required to agree with the exit code.

let emu: EmulatorProcess;
beforeAll(async () => {
  emu = await startEmulatorProcess();
  const owner = emulatorEnv(emu.url, tmpDir());
  expect((await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env: owner})).exitCode).toBe(0);
  expect((await runCli(['artifacts', 'repositories', 'create', 'images', '--repository-format=docker', '--location=us', `--project=${emu.project}`], {env: owner})).exitCode).toBe(0);
});
afterAll(() => emu.stop());

async function world(dockerConfig: unknown): Promise<Record<string, string>> {
  const root = tmpDir('gcauth-doctor-cli-');
  const bin = path.join(root, 'bin');
  const home = path.join(root, 'home');
  mkdirSync(bin);
  mkdirSync(path.join(home, '.docker'), {recursive: true});
  symlinkSync(process.execPath, path.join(bin, 'node'));
  symlinkSync(helperBin, path.join(bin, 'docker-credential-gcauth'));
  writeFileSync(path.join(bin, 'docker'), '#!/bin/sh\necho 27.1.0\n');
  chmodSync(path.join(bin, 'docker'), 0o755);
  writeFileSync(path.join(home, '.docker', 'config.json'), JSON.stringify(dockerConfig));
  const env = {
    ...emulatorEnv(emu.url, path.join(root, 'gcauth')),
    METADATA_SERVER_DETECTION: 'none',
    HOME: home,
    PATH: bin,
  };
  expect((await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env})).exitCode).toBe(0);
  return env;
}

interface Row {
  check: string;
  status: string;
  message: string;
  fix: string | null;
}

test('everything passes: the report on stdout, nothing on stderr, exit 0 unless the group check fails; --format=json gives the rows', async () => {
  const env = await world({credHelpers: {'us-docker.pkg.dev': 'gcauth'}});
  const image = `us-docker.pkg.dev/${emu.project}/images/app:1`;
  const json = await runCli(['doctor', image, '--format=json'], {env});
  const rows = JSON.parse(json.stdout) as Row[];
  // Keys sorted, as every --format=json prints them (gcloud's rule).
  expect(rows.map((r) => Object.keys(r))).toEqual(rows.map(() => ['check', 'fix', 'message', 'status']));
  const group = rows.find((r) => r.check === 'docker-group')!;
  // This machine's docker group is whatever it is; every other check is healthy.
  const {'docker-group': _group, ...others} = HEALTHY_VERDICTS;
  expect(Object.fromEntries(rows.filter((r) => r !== group).map((r) => [r.check, r.status]))).toEqual(others);
  expect(json.exitCode).toBe(group.status === 'fail' ? 1 : 0);
  expect(json.stderr).toBe('');

  const text = await runCli(['doctor', image], {env});
  expect(text.exitCode).toBe(json.exitCode);
  expect(text.stderr).toBe('');
  expect(text.stdout).toMatch(/^ok {4}docker-cli: docker 27\.1\.0\n/);
  expect(text.stdout).toContain(`ok    registry-push: ${rows.find((r) => r.check === 'registry-push')!.message}\n`);
  expect(text.stdout.trimEnd().split('\n').filter((l) => !l.startsWith('      fix: '))).toHaveLength(rows.length);
});

test('a failing world: exit 1, each warn and fail followed by its fix, no ERROR line', async () => {
  const secret = {auth: Buffer.from('oauth2accesstoken:ya29.stale').toString('base64')};
  const env = await world({auths: {'gcr.io': secret}});
  const result = await runCli(['doctor', 'gcr.io/no-such-project/app'], {env});
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toBe('');
  expect(result.stdout).toContain('fail  docker-config: Docker reads ');
  expect(result.stdout).toContain('fail  docker-auths: "auths" holds a stored secret that Docker sends for gcr.io, because no credHelpers entry names gcauth there\n      fix: gcauth auth configure-docker gcr.io && docker logout gcr.io\n');
  expect(result.stdout).toMatch(/fail {2}registry-pull: .* cannot see project no-such-project.*\n {6}fix: gcauth projects get-iam-policy no-such-project/);
  expect(result.stdout).not.toContain('ya29.stale');
});

test('bad IMAGE_OR_HOST: one ERROR line, exit 2, no report', async () => {
  const env = await world({});
  const result = await runCli(['doctor', 'not a host'], {env});
  expect(result).toMatchObject({exitCode: 2, stdout: ''});
  expect(result.stderr).toMatch(/^ERROR: Invalid IMAGE_OR_HOST \[not a host\]: expected HOST or HOST\/PROJECT\/IMAGE, .*\n$/);
});

test('a config dir other users may write: doctor still runs and warns, naming the fix; the helper refuses it', async () => {
  const env = await world({credHelpers: {'gcr.io': 'gcauth'}});
  chmodSync(env.GCAUTH_CONFIG!, 0o777);
  const result = await runCli(['doctor', '--format=json'], {env});
  const rows = Object.fromEntries((JSON.parse(result.stdout) as Row[]).map((r) => [r.check, r]));
  expect(rows['config-dir']).toMatchObject({status: 'warn', fix: `chmod 700 ${env.GCAUTH_CONFIG}`});
  expect(rows['config-dir']!.message).toContain('other users can write to it (mode 0777)');
  expect(rows.helper!.status).toBe('fail');
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toBe('');
});
