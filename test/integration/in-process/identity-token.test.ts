/**
 * `auth print-identity-token` and impersonation through the command classes and cores. Service-account id tokens
 * come from an in-process emulator and are verified against its JWKS; impersonation runs against a fake IAM
 * Credentials client (the emulator's routes are tested end to end in test/integration/impersonation.test.ts).
 */
import {createRemoteJWKSet, jwtVerify} from 'jose';

import PrintAccessToken from '../../../src/commands/auth/print-access-token.js';
import PrintIdentityToken from '../../../src/commands/auth/print-identity-token.js';
import type {RunningEmulator} from '../../../src/emulator/server.js';
import type {IamCredentialsApi, ImpersonationChain} from '../../../src/lib/api/iam-credentials.js';
import {printAccessToken} from '../../../src/lib/auth/accounts.js';
import {DEFAULT_AUDIENCE, printIdentityToken} from '../../../src/lib/auth/identity-token.js';
import {serveCredentialHelper} from '../../../src/lib/docker/credential-helper.js';
import {gcauthHelperBackend} from '../../../src/lib/docker/helper.js';
import type {Minter} from '../../../src/lib/auth/tokens/token-service.js';
import {PermissionDeniedError} from '../../../src/lib/errors.js';
import {fakeContext} from '../../helpers/context.js';
import {startActivatedEmulator} from '../../helpers/in-process-emulator.js';
import {runCommand} from '../../helpers/run-command.js';

let emu: RunningEmulator;
let configDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  ({emu, configDir, env} = await startActivatedEmulator());
});
afterAll(() => emu.close());

type Cmd = Parameters<typeof runCommand>[0];
const run = (Cmd: Cmd, argv: string[], extraEnv: Record<string, string> = {}) => runCommand(Cmd, argv, {configDir, env: {...env, ...extraEnv}});

describe('print-identity-token for a service account', () => {
  test("stdout is the token alone; it verifies against the emulator's JWKS with aud = the audience; the second call is cached", async () => {
    const before = emu.stats().tokenRequests.idToken;
    const first = await run(PrintIdentityToken, ['--audiences=https://svc.example.com']);
    expect(first).toMatchObject({code: 0, stderr: ''});
    expect(first.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const {payload} = await jwtVerify(first.stdout.trim(), createRemoteJWKSet(new URL(`${emu.url}/oauth2/v3/certs`)), {
      audience: 'https://svc.example.com',
    });
    expect(payload.email).toBe(emu.ownerEmail);

    const second = await run(PrintIdentityToken, ['--audiences=https://svc.example.com']);
    expect(second.stdout).toBe(first.stdout);
    expect(emu.stats().tokenRequests.idToken).toBe(before + 1);
  });

  test('--format json gives {token, expiry}; the default audience is gcloud\'s; an access token is not an id token', async () => {
    const result = await run(PrintIdentityToken, ['--format=json']);
    expect(result.code).toBe(0);
    const {token, expiry} = JSON.parse(result.stdout) as {token: string; expiry: string};
    const {payload} = await jwtVerify(token, createRemoteJWKSet(new URL(`${emu.url}/oauth2/v3/certs`)), {audience: DEFAULT_AUDIENCE});
    expect(new Date(expiry).getTime()).toBe(payload.exp! * 1000);
    const access = await run(PrintAccessToken, []);
    expect(access.stdout.trim()).not.toBe(token);
  });

  test('--include-email without impersonation, or two audiences, are usage errors with no request', async () => {
    const before = emu.stats().total;
    expect(await run(PrintIdentityToken, ['--include-email'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'ERROR: Invalid value for [--include-email]: It is for service account impersonation only. It must be used together with the --impersonate-service-account flag.\n',
    });
    expect(await run(PrintIdentityToken, ['--audiences=a,b'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'ERROR: Invalid value for [--audiences]: "a,b": give exactly one audience.\n',
    });
    expect(emu.stats().total).toBe(before);
  });

  test('an unknown account is an AuthError (exit 4) naming it', async () => {
    const result = await run(PrintIdentityToken, ['nobody@p.iam.gserviceaccount.com']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^ERROR: Account \[nobody@p\.iam\.gserviceaccount\.com\] has no credentials/);
  });

  test('--lifetime without impersonation is refused in gcloud\'s words', async () => {
    expect(await run(PrintAccessToken, ['--lifetime=600'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'ERROR: Invalid value for [--lifetime]: Lifetime flag is for service account impersonation only. It must be used together with the --impersonate-service-account flag.\n',
    });
  });
});

describe("the context's clock dates minted tokens", () => {
  test('an access token minted under a fake clock expires its lifetime after that clock, and the next run reads it from the cache', async () => {
    const fakeNow = Date.now() + 30 * 24 * 3600_000;
    const before = emu.stats().tokenRequests.accessToken;
    const first = await printAccessToken({scopes: ['https://www.googleapis.com/auth/cloud-platform']}, (await fakeContext({configDir, env, now: () => fakeNow})).ctx);
    const lifetime = new Date(first.expiry!).getTime() - fakeNow;
    // The emulator's tokens live an hour; a few ms of the lifetime pass between its answer and the stamp.
    expect(lifetime).toBeGreaterThan(3590_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    const second = await printAccessToken({scopes: ['https://www.googleapis.com/auth/cloud-platform']}, (await fakeContext({configDir, env, now: () => fakeNow + 60_000})).ctx);
    expect(second).toEqual(first);
    expect(emu.stats().tokenRequests.accessToken).toBe(before + 1);
  });
});

describe('print-identity-token for a user account', () => {
  const USER = 'user@example.com';

  test("the refresh grant's id token, issued to the OAuth client; --audiences is refused for a user", async () => {
    const refreshToken = emu.state.issueRefreshToken(USER, 'gcauth-test-client', ['openid', 'email', 'https://www.googleapis.com/auth/cloud-platform']);
    await emu.state.save();
    const {ctx} = await fakeContext({configDir, env});
    await ctx.store.put({type: 'authorized_user', account: USER, refreshToken, clientId: 'gcauth-test-client', clientSecret: 's3cret', addedAt: new Date().toISOString()});

    const result = await run(PrintIdentityToken, [USER]);
    expect(result).toMatchObject({code: 0, stderr: ''});
    const {payload} = await jwtVerify(result.stdout.trim(), createRemoteJWKSet(new URL(`${emu.url}/oauth2/v3/certs`)), {audience: 'gcauth-test-client'});
    expect(payload.email).toBe(USER);

    expect(await run(PrintIdentityToken, [USER, '--audiences=https://svc.example.com'])).toEqual({
      code: 2,
      stdout: '',
      stderr: `ERROR: Invalid value for [--audiences]: [${USER}] is a user account, whose id tokens are issued to its OAuth client; --audiences is for service accounts, or with --impersonate-service-account.\n`,
    });
  });
});

describe('impersonation against a fake IAM Credentials', () => {
  const SOURCE = 'ci@p.iam.gserviceaccount.com';
  const TARGET = 'deployer@p.iam.gserviceaccount.com';
  const mint: Minter = async () => ({token: 'ya29.source', expiry: Date.now() + 3600_000});

  function fakeIamCredentials(allowed = true) {
    const calls: Array<{method: string; chain: ImpersonationChain; args: unknown[]}> = [];
    const denied = () =>
      new PermissionDeniedError(`${SOURCE} lacks permission iam.serviceAccounts.getAccessToken on service account [${TARGET}].`);
    const api = {
      async generateAccessToken(chain: ImpersonationChain, scopes: string[], lifetime: number) {
        calls.push({method: 'generateAccessToken', chain, args: [scopes, lifetime]});
        if (!allowed) throw denied();
        return {token: `ya29.impersonated-${calls.length}`, expiry: Date.now() + lifetime * 1000};
      },
      async generateIdToken(chain: ImpersonationChain, audience: string, includeEmail: boolean) {
        calls.push({method: 'generateIdToken', chain, args: [audience, includeEmail]});
        if (!allowed) throw denied();
        const payload = Buffer.from(JSON.stringify({aud: audience, exp: Math.floor(Date.now() / 1000) + 3600})).toString('base64url');
        return `eyJhbGciOiJSUzI1NiJ9.${payload}.sig`;
      },
    };
    return {calls, api: api as unknown as IamCredentialsApi};
  }

  async function impersonating(value: string, allowed = true) {
    const fake = await fakeContext({flags: {account: SOURCE, 'impersonate-service-account': value}, mint});
    const iam = fakeIamCredentials(allowed);
    fake.ctx.api = {...fake.ctx.api, iamCredentials: async () => iam.api};
    return {...fake, calls: iam.calls};
  }

  test('print-access-token mints once through generateAccessToken, warns in gcloud\'s words, and caches per lifetime', async () => {
    const {ctx, out, calls, cleanup} = await impersonating(TARGET);
    try {
      const first = await printAccessToken({}, ctx);
      expect(first.token).toBe('ya29.impersonated-1');
      expect(calls).toEqual([
        {
          method: 'generateAccessToken',
          chain: {target: TARGET, delegates: []},
          args: [['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/userinfo.email', 'openid'], 3600],
        },
      ]);
      expect(out.stderr).toBe(`WARNING: This command is using service account impersonation. All API calls will be executed as [${TARGET}].\n`);
      expect((await printAccessToken({}, ctx)).token).toBe('ya29.impersonated-1');
      expect(calls).toHaveLength(1);
      expect(out.stderr.match(/WARNING/g)).toHaveLength(1);
      expect((await printAccessToken({lifetime: '600'}, ctx)).token).toBe('ya29.impersonated-2');
      expect(calls[1]!.args[1]).toBe(600);
    } finally {
      cleanup();
    }
  });

  test('delegates come before the target; print-identity-token goes through generateIdToken', async () => {
    const DELEGATE = 'middle@p.iam.gserviceaccount.com';
    const {ctx, calls, cleanup} = await impersonating(`${DELEGATE},${TARGET}`);
    try {
      const printed = await printIdentityToken({audiences: 'https://a.example', includeEmail: true}, ctx);
      expect(printed.token).toMatch(/^eyJ/);
      expect(calls).toEqual([{method: 'generateIdToken', chain: {target: TARGET, delegates: [DELEGATE]}, args: ['https://a.example', true]}]);
    } finally {
      cleanup();
    }
  });

  test('a refusal reaches the caller typed, and nothing is cached', async () => {
    const {ctx, calls, cleanup} = await impersonating(TARGET, false);
    try {
      await expect(printAccessToken({}, ctx)).rejects.toThrow(
        new PermissionDeniedError(`${SOURCE} lacks permission iam.serviceAccounts.getAccessToken on service account [${TARGET}].`),
      );
      await expect(printAccessToken({}, ctx)).rejects.toThrow(PermissionDeniedError);
      expect(calls).toHaveLength(2);
    } finally {
      cleanup();
    }
  });

  test("docker-credential-gcauth hands registries the target's token, as gcloud's helper does", async () => {
    const {ctx, calls, cleanup} = await impersonating(TARGET);
    try {
      let stdout = '';
      const code = await serveCredentialHelper(
        ['get'],
        {readInput: async () => 'gcr.io', stdout: (t) => (stdout += t), stderr: () => undefined},
        gcauthHelperBackend(async () => ctx),
        {name: 'docker-credential-gcauth', packageName: 'gcauth', version: () => '0.0.0'},
      );
      expect({code, stdout}).toEqual({code: 0, stdout: `${JSON.stringify({ServerURL: 'gcr.io', Username: 'oauth2accesstoken', Secret: 'ya29.impersonated-1'})}\n`});
      expect(calls.map((c) => c.method)).toEqual(['generateAccessToken']);
      expect((await printAccessToken({}, ctx)).token).toBe('ya29.impersonated-1');
    } finally {
      cleanup();
    }
  });

  test('an invalid chain from the flag is a usage error naming the property', async () => {
    const {ctx, cleanup} = await fakeContext({flags: {account: SOURCE, 'impersonate-service-account': 'not-an-email'}, mint});
    try {
      await expect(printAccessToken({}, ctx)).rejects.toThrow(/auth\/impersonate_service_account.*expected EMAIL or DELEGATE/);
    } finally {
      cleanup();
    }
  });
});
