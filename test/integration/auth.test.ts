import {generateKeyPairSync} from 'node:crypto';
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import path from 'node:path';

import {emulatorEnv, runCli} from '../helpers/cli.js';
import {readKeyFile, startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {modes} from '../helpers/fs.js';

let emu: EmulatorProcess;
beforeAll(async () => {
  emu = await startEmulatorProcess();
});
afterAll(() => emu.stop());

const ownerEmail = () => readKeyFile(emu.ownerKeyFile).client_email;
const tokenInfo = async (token: string) => (await fetch(`${emu.url}/tokeninfo?access_token=${token}`)).json() as Promise<{email?: string; azp?: string; error?: string}>;


describe('service-account auth end to end', () => {
  test('activate, print a token, list, revoke', async () => {
    const config = tmpDir();
    const env = emulatorEnv(emu.url, config);
    const activated = await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env});
    expect(activated).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: `Activated service account credentials for: [${ownerEmail()}]\n`,
    });

    const printed = await runCli(['auth', 'print-access-token'], {env});
    expect(printed.exitCode).toBe(0);
    expect(printed.stderr).toBe('');
    expect(printed.stdout).toMatch(/^ya29\.[\w-]+\n$/);
    expect((await tokenInfo(printed.stdout.trim())).email).toBe(ownerEmail());

    const json = await runCli(['auth', 'print-access-token', '--format=json'], {env});
    const parsed = JSON.parse(json.stdout) as {token: string; expiry: string};
    expect(parsed.token).toBe(printed.stdout.trim());
    expect(Date.parse(parsed.expiry)).toBeGreaterThan(Date.now() + 50 * 60_000);

    const list = await runCli(['auth', 'list', '--format=json'], {env});
    expect(JSON.parse(list.stdout)).toEqual([{account: ownerEmail(), status: 'ACTIVE'}]);
    const table = await runCli(['auth', 'list'], {env});
    expect(table.stdout.trimStart()).toBe(`Credentialed Accounts\nACTIVE  ACCOUNT\n*       ${ownerEmail()}\n`);

    // Every file gcauth wrote is 0600 and every directory 0700.
    for (const [name, mode] of modes(config)) expect([name, mode]).toEqual([name, statSync(path.join(config, name)).isDirectory() ? 0o700 : 0o600]);

    const revoked = await runCli(['auth', 'revoke'], {env});
    expect(revoked).toMatchObject({exitCode: 0, stdout: '', stderr: expect.stringMatching(new RegExp(`^WARNING: \\[${ownerEmail()}\\] is a service account: its tokens cannot be revoked, but they expire on their own within the hour\\. Its key is removed from this machine; to cut the key off earlier, disable it: gcauth iam service-accounts keys disable [0-9a-f]{40} --iam-account=${ownerEmail()}\\nRevoked credentials for: \\[${ownerEmail()}\\]\\n$`))});
    const after = await runCli(['auth', 'print-access-token'], {env});
    expect(after.exitCode).toBe(4);
    expect(after.stdout).toBe('');
    expect(after.stderr).toMatch(/^ERROR: You do not currently have an active account selected\..*activate-service-account/);
    expect(readdirSync(path.join(config, 'access_tokens'))).toEqual([]);
    expect((await runCli(['auth', 'list', '--format=json'], {env})).stdout).toBe('[]\n');
  });

  test('--key-file=- reads the key from stdin, and --project sets core/project', async () => {
    const config = tmpDir();
    const env = emulatorEnv(emu.url, config);
    const result = await runCli(['auth', 'activate-service-account', '--key-file=-', '--project=my-proj'], {env, input: readFileSync(emu.ownerKeyFile, 'utf8')});
    expect(result.exitCode).toBe(0);
    expect(readFileSync(path.join(config, 'configurations', 'config_default'), 'utf8')).toBe(`[core]\naccount = ${ownerEmail()}\nproject = my-proj\n`);
  });

  test('a key file saved by Windows PowerShell 5.1 (UTF-16LE with a BOM, CRLF) is activated, and serves as ADC', async () => {
    const config = tmpDir();
    const env = emulatorEnv(emu.url, config);
    // What `Get-Content owner-key.json > key.json` writes there.
    const keyFile = path.join(tmpDir(), 'key-utf16.json');
    const crlf = readFileSync(emu.ownerKeyFile, 'utf8').replace(/\r?\n/g, '\r\n');
    writeFileSync(keyFile, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(crlf, 'utf16le')]));
    const activated = await runCli(['auth', 'activate-service-account', `--key-file=${keyFile}`], {env});
    expect(activated).toEqual({exitCode: 0, stdout: '', stderr: `Activated service account credentials for: [${ownerEmail()}]\n`});
    const printed = await runCli(['auth', 'print-access-token'], {env});
    expect((await tokenInfo(printed.stdout.trim())).email).toBe(ownerEmail());
    const adc = await runCli(['auth', 'application-default', 'print-access-token'], {env: {...env, GOOGLE_APPLICATION_CREDENTIALS: keyFile}});
    expect(adc).toMatchObject({exitCode: 0, stderr: ''});
    // ADC asks for cloud-platform alone, so its tokeninfo names the account's unique id, not its email.
    expect((await tokenInfo(adc.stdout.trim())).azp).toBe((await tokenInfo(printed.stdout.trim())).azp);
  });

  test('piped stdin is never taken as an ACCOUNT argument', async () => {
    const config = tmpDir();
    const env = emulatorEnv(emu.url, config);
    await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env});
    // oclif would read a missing positional from stdin; revoke must act on the active account instead.
    const result = await runCli(['auth', 'revoke'], {env, input: 'ghost@x.iam.gserviceaccount.com\n'});
    expect(result).toMatchObject({exitCode: 0, stderr: expect.stringMatching(new RegExp(`^WARNING: \\[${ownerEmail()}\\] is a service account: its tokens cannot be revoked, but they expire on their own within the hour\\. Its key is removed from this machine; to cut the key off earlier, disable it: gcauth iam service-accounts keys disable [0-9a-f]{40} --iam-account=${ownerEmail()}\\nRevoked credentials for: \\[${ownerEmail()}\\]\\n$`))});
  });

  test('a reader that closes the pipe early is not an error', async () => {
    const config = tmpDir();
    const env = emulatorEnv(emu.url, config);
    await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env});
    const {execa} = await import('execa');
    const {cliBin} = await import('../helpers/emulator.js');
    const result = await execa(`'${process.execPath}' '${cliBin}' auth print-access-token --format=json | head -c 1`, {
      shell: '/bin/sh',
      env: {...env, PATH: process.env.PATH},
      extendEnv: false,
      reject: false,
    });
    expect(result.stdout).toBe('{');
    expect(result.stderr).toBe('');
  });

  test('core/verbosity=none in a configuration silences errors on the fast path as in oclif', async () => {
    const config = tmpDir();
    const env = emulatorEnv(emu.url, config);
    expect((await runCli(['config', 'set', 'verbosity', 'none'], {env})).exitCode).toBe(0);
    for (const args of [['auth', 'print-access-token', 'nobody@x.com'], ['auth', 'print-access-token', 'nobody@x.com', '--help-me']]) {
      const result = await runCli(args, {env});
      expect(result.stderr).toBe(args.length === 3 ? '' : 'ERROR: unrecognized arguments: --help-me\n');
      expect(result.exitCode).toBe(args.length === 3 ? 4 : 2);
    }
  });

  test('an unknown account names the command that fixes it', async () => {
    const env = emulatorEnv(emu.url, tmpDir());
    const result = await runCli(['auth', 'print-access-token', 'ghost@demo-project.iam.gserviceaccount.com'], {env});
    expect(result).toEqual({
      exitCode: 4,
      stdout: '',
      stderr:
        'ERROR: Account [ghost@demo-project.iam.gserviceaccount.com] has no credentials. Log in with: gcauth auth login ghost@demo-project.iam.gserviceaccount.com, or activate a key with: gcauth auth activate-service-account ghost@demo-project.iam.gserviceaccount.com --key-file=FILE\n',
    });
  });

  test('auth/token_host redirects google-auth-library: the key token_uri points nowhere, the request reaches the emulator', async () => {
    const config = tmpDir();
    const keyFile = path.join(tmpDir(), 'key.json');
    writeFileSync(keyFile, JSON.stringify({...readKeyFile(emu.ownerKeyFile), token_uri: 'http://127.0.0.1:9/unreachable'}));
    await emu.resetStats();
    const result = await runCli(['auth', 'activate-service-account', `--key-file=${keyFile}`], {env: emulatorEnv(emu.url, config)});
    expect(result.exitCode).toBe(0);
    expect((await emu.stats()).tokenRequests.accessToken).toBe(1);
    // gcauth signs for Google's token URL as google-auth does, whatever URL it posts to (the emulator accepts its own too).
    expect((await emu.stats()).assertionAudiences).toEqual({'https://oauth2.googleapis.com/token': 1});
  });

  test("without auth/token_host the key's token_uri is used", async () => {
    const config = tmpDir();
    await emu.resetStats();
    const result = await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env: {GCAUTH_CONFIG: config}});
    expect(result.exitCode).toBe(0);
    expect((await emu.stats()).tokenRequests.accessToken).toBe(1);
    expect((await emu.stats()).assertionAudiences).toEqual({'https://oauth2.googleapis.com/token': 1});
  });

  test('a key the endpoint refuses fails at once, naming key and account, and stores nothing', async () => {
    const config = tmpDir();
    const keyFile = path.join(tmpDir(), 'key.json');
    const foreign = generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey.export({type: 'pkcs8', format: 'pem'}).toString();
    writeFileSync(keyFile, JSON.stringify({...readKeyFile(emu.ownerKeyFile), private_key: foreign, private_key_id: 'f00d'}));
    await emu.resetStats();
    const result = await runCli(['auth', 'activate-service-account', `--key-file=${keyFile}`], {env: emulatorEnv(emu.url, config)});
    expect(result.exitCode).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^ERROR: The token endpoint refused key \\[f00d\\] of service account \\[${ownerEmail().replace(/\./g, '\\.')}\\] \\(invalid_grant`));
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect((await emu.stats()).tokenRequests.accessToken).toBe(1);
    // Nothing at all was created: no credential, no cache entry, no lock directory.
    expect(readdirSync(config)).toEqual([]);
  });

  test('--verbosity=debug logs each HTTP exchange with every secret redacted', async () => {
    const config = tmpDir();
    const env = emulatorEnv(emu.url, config);
    const result = await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`, '--verbosity=debug'], {env});
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`--> POST ${emu.url}/token`);
    expect(result.stderr).toContain(`<-- 200 ${emu.url}/token`);
    expect(result.stderr).toContain('assertion=[REDACTED]');
    expect(result.stderr).not.toMatch(/ya29\.|eyJ|PRIVATE KEY/);
  });
});
