import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {readKeyFile, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {findGcloud, gcloudEnv, runGcloud} from '../helpers/gcloud.js';
import {sayWhySkipped} from '../helpers/skip.js';

const gcloud = findGcloud();
if (!gcloud) sayWhySkipped('gcloud conformance skipped: gcloud is not on PATH');
const describeIfGcloud = gcloud ? describe : describe.skip;

describeIfGcloud('the real gcloud against the emulator', () => {
  let emu: EmulatorProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    emu = await startEmulatorProcess();
    env = gcloudEnv(emu.url, emu.project);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  const run = (args: string[]) => runGcloud(gcloud!, args, env);

  it('activates the owner key and prints an access token the emulator recognises', async () => {
    const key = readKeyFile(emu.ownerKeyFile);
    await emu.resetStats();

    const activated = await run(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`]);
    expect(activated.stderr).toContain(`Activated service account credentials for: [${key.client_email}]`);
    expect(activated.exitCode).toBe(0);
    // gcloud refreshes on activation with two grants: an id token first, then the access token.
    const afterActivate = await emu.stats();
    expect(afterActivate.tokenRequests).toEqual({accessToken: 1, idToken: 1, unsupportedGrant: 0, metadata: 0, metadataIdentity: 0});
    expect(afterActivate.tokensIssued).toEqual({accessToken: 1, idToken: 1, metadata: 0, metadataIdentity: 0});

    const printed = await run(['auth', 'print-access-token']);
    expect(printed.exitCode).toBe(0);
    const token = printed.stdout.trim();
    expect(token).toMatch(/^ya29\./);
    // The token was cached at activation: printing it costs no token request.
    expect((await emu.stats()).byRoute['POST /token']).toBe(2);

    const res = await fetch(`${emu.url}/tokeninfo?access_token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(200);
    const info = (await res.json()) as Record<string, string>;
    expect(info.email).toBe(key.client_email);
    expect(String(info.scope).split(' ')).toContain('https://www.googleapis.com/auth/cloud-platform');
  });

  it('refreshes through the emulator when the token has under five minutes left', async () => {
    await emu.setTokenLifetime(120);
    const key = readKeyFile(emu.ownerKeyFile);
    expect((await run(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`])).exitCode).toBe(0);
    await emu.resetStats();
    const a = await run(['auth', 'print-access-token', key.client_email]);
    const b = await run(['auth', 'print-access-token', key.client_email]);
    expect(a.exitCode).toBe(0);
    expect(b.exitCode).toBe(0);
    expect(a.stdout.trim()).not.toBe(b.stdout.trim());
    expect((await emu.stats()).tokensIssued.accessToken).toBe(2);
    await emu.setTokenLifetime(3599);
  });

  it("surfaces the emulator's invalid_grant for a key the emulator does not hold", async () => {
    const key = readKeyFile(emu.ownerKeyFile);
    const forged = path.join(tmpDir(), 'forged.json');
    writeFileSync(forged, JSON.stringify({...key, private_key_id: 'f'.repeat(40)}));
    const r = await run(['auth', 'activate-service-account', `--key-file=${forged}`]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('invalid_grant: Invalid JWT Signature.');
  });
});
