import {existsSync, statSync} from 'node:fs';
import path from 'node:path';
import {execa} from 'execa';
import {cliBin, postToken, readKeyFile, signAssertion, startEmulatorProcess, tmpDir} from '../helpers/emulator.js';

const mode = (file: string) => statSync(file).mode & 0o777;

describe('gcauth emulator start (built CLI)', () => {
  it('issues a token for the owner key, keeps state across a restart, and exits 0 on SIGTERM', async () => {
    const first = await startEmulatorProcess();
    const key = readKeyFile(first.ownerKeyFile);
    expect(key.token_uri).toBe(`${first.url}/token`);
    expect(key.client_email).toBe(`emulator-owner@${first.project}.iam.gserviceaccount.com`);
    expect(first.project).toBe('demo-project');
    expect(first.stderr()).toContain(`eval "$(gcauth emulator env-init --data-dir ${first.dataDir})"`);

    const granted = await postToken(first.url, signAssertion(key));
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({token_type: 'Bearer', expires_in: 3599});
    expect(String(granted.body.access_token)).toMatch(/^ya29\./);

    expect(mode(first.dataDir)).toBe(0o700);
    for (const f of ['state.json', 'owner-key.json', 'emulator.json']) expect(mode(path.join(first.dataDir, f))).toBe(0o600);

    const stats = await first.stats();
    expect(stats.byRoute['POST /token']).toBe(1);
    expect(stats.tokensIssued.accessToken).toBe(1);

    await first.stop();
    expect(await first.exited).toEqual({exitCode: 0, signal: undefined});
    expect(first.stderr()).toContain('Emulator stopped.');

    const second = await startEmulatorProcess({dataDir: first.dataDir});
    try {
      const again = readKeyFile(second.ownerKeyFile);
      expect(again.private_key).toBe(key.private_key);
      expect(again.private_key_id).toBe(key.private_key_id);
      expect(again.token_uri).toBe(`${second.url}/token`);
      expect(second.project).toBe(first.project);
      // The token issued before the restart is still known.
      const info = await fetch(`${second.url}/tokeninfo?access_token=${String(granted.body.access_token)}`);
      expect(info.status).toBe(200);
      expect((await postToken(second.url, signAssertion(key))).status).toBe(200);
    } finally {
      await second.stop();
    }
  });

  it('applies faults from flags and from the admin endpoint, and never faults admin routes', async () => {
    const emu = await startEmulatorProcess({args: ['--fail-rate', '1', '--fail-status', '429', '--vm-fault', 'token-not-json']});
    try {
      expect(await (await fetch(`${emu.url}/__admin/metadata`)).json()).toMatchObject({fault: 'token-not-json'});
      const key = readKeyFile(emu.ownerKeyFile);
      const refused = await postToken(emu.url, signAssertion(key));
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({error: {code: 429, message: expect.any(String), status: 'RESOURCE_EXHAUSTED'}});

      await emu.setFaults({failNext: 2, failNextStatus: 503});
      expect((await postToken(emu.url, signAssertion(key))).status).toBe(503);
      expect((await postToken(emu.url, signAssertion(key))).status).toBe(503);
      expect((await postToken(emu.url, signAssertion(key))).status).toBe(200);

      const stats = await emu.stats();
      expect(stats.faultsInjected).toBe(3);
      expect(stats.byRoute['POST /token']).toBe(4);
      expect(stats.byStatus).toEqual({'429': 1, '503': 2, '200': 1});
      await emu.resetStats();
      expect((await emu.stats()).total).toBe(0);

      // Ctrl-C stops it as cleanly as SIGTERM.
      process.kill(emu.pid, 'SIGINT');
      expect(await emu.exited).toEqual({exitCode: 0, signal: undefined});
      expect(existsSync(path.join(emu.dataDir, 'emulator.json'))).toBe(false);
    } finally {
      await emu.stop();
    }
  });

  it('refuses a data dir already served by a live emulator', async () => {
    const emu = await startEmulatorProcess();
    try {
      const second = await execa(process.execPath, [cliBin, 'emulator', 'start', '--data-dir', emu.dataDir], {
        reject: false,
        env: {GCAUTH_CONFIG: tmpDir()},
      });
      expect(second.exitCode).toBe(1);
      expect(second.stderr).toContain(`ERROR: An emulator (pid ${emu.pid}) already serves ${emu.dataDir}`);
      expect(second.stdout).toBe('');
    } finally {
      await emu.stop();
    }
  });
});

describe('gcauth emulator env-init (built CLI)', () => {
  it('prints export lines for gcauth and, with --gcloud, for gcloud', async () => {
    const emu = await startEmulatorProcess();
    try {
      const env = {GCAUTH_CONFIG: tmpDir()};
      const plain = await execa(process.execPath, [cliBin, 'emulator', 'env-init', '--data-dir', emu.dataDir], {env});
      expect(plain.stdout).toBe(
        [
          `export GCAUTH_AUTH_TOKEN_HOST=${emu.url}/token`,
          `export GCAUTH_AUTH_AUTH_HOST=${emu.url}/o/oauth2/v2/auth`,
          `export GCAUTH_API_ENDPOINT_OVERRIDES_IAM=${emu.url}/iam/`,
          `export GCAUTH_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER=${emu.url}/cloudresourcemanager/`,
          `export GCAUTH_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS=${emu.url}/iamcredentials/`,
          `export GCAUTH_API_ENDPOINT_OVERRIDES_ARTIFACTREGISTRY=${emu.url}/artifactregistry/`,
          `export GCAUTH_API_ENDPOINT_OVERRIDES_SERVICEUSAGE=${emu.url}/serviceusage/`,
          `export GCAUTH_API_ENDPOINT_OVERRIDES_ORGPOLICY=${emu.url}/orgpolicy/`,
          'export GCAUTH_CORE_PROJECT=demo-project',
        ].join('\n'),
      );
      expect(plain.stderr).toBe('');
      const gcloud = await execa(process.execPath, [cliBin, 'emulator', 'env-init', '--data-dir', emu.dataDir, '--gcloud'], {env});
      expect(gcloud.stdout).toContain(`export CLOUDSDK_AUTH_TOKEN_HOST=${emu.url}/token\n`);
      expect(gcloud.stdout).toContain(`export CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM=${emu.url}/iam/\n`);
      expect(gcloud.stdout).toContain('export CLOUDSDK_CORE_CHECK_GCE_METADATA=false\n');
      expect(gcloud.stdout).not.toContain('GCAUTH_');
    } finally {
      await emu.stop();
    }
  });

  it("with --ci, adds the default CI job's two variables, which a shell uses as a GitHub job does to get a job token", async () => {
    const emu = await startEmulatorProcess();
    try {
      const r = await execa(process.execPath, [cliBin, 'emulator', 'env-init', '--data-dir', emu.dataDir, '--ci'], {env: {GCAUTH_CONFIG: tmpDir()}});
      expect(r.stdout).toContain(`export ACTIONS_ID_TOKEN_REQUEST_URL='${emu.url}/ci/token?api-version=2.0'\n`);
      expect(r.stdout).toMatch(/\nexport ACTIONS_ID_TOKEN_REQUEST_TOKEN=[\w-]{43}$/);
      // The shell evals the lines and exports them; the job's program reads them as actions/core's getIDToken does.
      const fetchToken = `fetch(process.env.ACTIONS_ID_TOKEN_REQUEST_URL + '&audience=x', {headers: {Authorization: 'Bearer ' + process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}}).then((r) => r.text()).then((t) => process.stdout.write(t))`;
      const answer = await execa('sh', ['-c', `eval "$LINES"; exec "$NODE" -e "$SCRIPT"`], {env: {LINES: r.stdout, NODE: process.execPath, SCRIPT: fetchToken}});
      const {value} = JSON.parse(answer.stdout) as {value: string};
      expect(JSON.parse(Buffer.from(value.split('.')[1] as string, 'base64url').toString())).toMatchObject({iss: `${emu.url}/ci`, aud: 'x', sub: 'repo:example-org/example-repo:ref:refs/heads/main'});
    } finally {
      await emu.stop();
    }
  });

  it('fails with one clear line when no emulator runs there', async () => {
    const dir = tmpDir();
    const r = await execa(process.execPath, [cliBin, 'emulator', 'env-init', '--data-dir', dir], {reject: false, env: {GCAUTH_CONFIG: tmpDir()}});
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')[0]).toBe(`ERROR: No emulator is running for ${dir} (${path.join(dir, 'emulator.json')} does not exist)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
