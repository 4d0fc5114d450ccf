/**
 * The metadata client in process, against the emulator's metadata server on 127.0.0.1:0 in this process: detection
 * (variables, METADATA_SERVER_DETECTION, faked residency, the `gce` cache keyed by host and bounded by age), the
 * endpoints, and the bad servers a VM may meet. Nothing here can reach 169.254.169.254: residency is faked only
 * together with the emulator as the default host, and every other context has an empty sysfs root and no MAC address.
 */
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {
  detectMetadataServer,
  gceResidency,
  metadataAccessToken,
  metadataEmail,
  metadataIdentityToken,
  metadataProjectId,
  metadataScopes,
  NAMED_HOST_PROBE_TIMEOUT_MS,
  NEGATIVE_CACHE_MS,
  NoMetadataServerError,
  onGce,
  parseTokenAnswer,
  POSITIVE_CACHE_MS,
} from '../../../src/lib/auth/credentials/metadata.js';
import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {ApiError, UsageError} from '../../../src/lib/errors.js';
import {fakeContext, type FakeContextOptions} from '../../helpers/context.js';
import {CLOUD_PLATFORM, emulatedVm, type VmOptions} from '../../helpers/emulated-vm.js';
import {tmpDir} from '../../helpers/emulator.js';

// A project of its own, so the project id the client reads can only have come from the server.
const VM_EMAIL = 'vm-runner@vm-project.iam.gserviceaccount.com';
const READ_ONLY = 'https://www.googleapis.com/auth/devstorage.read_only';
let emu: RunningEmulator;
let dir: string;
beforeAll(async () => {
  emu = await startEmulator({dataDir: tmpDir(), project: 'vm-project'});
});
afterAll(() => emu.close());
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-metadata-'));
});
afterEach(() => {
  rmSync(dir, {recursive: true, force: true});
});

/** The emulator as this test's VM: VM_EMAIL with cloud-platform unless told otherwise. */
const vm = (options: Partial<VmOptions> = {}) => emulatedVm(emu.url, {serviceAccount: VM_EMAIL, ...options});
const configDir = () => path.join(dir, 'config');
const context = async (env: Record<string, string | undefined>, options: Omit<FakeContextOptions, 'env' | 'configDir'> = {}) =>
  (await fakeContext({env, configDir: configDir(), ...options})).ctx;
const gceFile = () => path.join(configDir(), 'gce');

/** A sysfs root whose DMI files say what a GCE VM's say. */
function vmSysRoot(file = 'product_name', text = 'Google Compute Engine\n'): string {
  const root = path.join(dir, 'sysroot');
  mkdirSync(path.join(root, 'sys', 'class', 'dmi', 'id'), {recursive: true});
  writeFileSync(path.join(root, 'sys', 'class', 'dmi', 'id', file), text);
  return root;
}

describe('detection', () => {
  test('with no variable and no residency signal there is no probe and nothing is written', async () => {
    // Counted, not timed: a default host that answers would show any probe in its requests.
    const s = await vm();
    expect(await onGce(await context({}, {metadataDefaultHost: s.host}))).toBe(false);
    expect(await s.requests()).toEqual([]);
    expect(existsSync(gceFile())).toBe(false);
  });

  test('GCE_METADATA_HOST is probed once; the next process reads the cached answer', async () => {
    const s = await vm();
    expect(await onGce(await context({GCE_METADATA_HOST: s.host}))).toBe(true);
    expect(await s.requests()).toEqual(['/computeMetadata/v1/instance/service-accounts/default/email']);
    expect(statSync(gceFile()).mode & 0o777).toBe(0o600);
    const cached = JSON.parse(readFileSync(gceFile(), 'utf8')) as {version: number; hosts: Record<string, {present: boolean; email: string}>};
    expect(cached.version).toBe(1);
    expect(cached.hosts[s.host]).toMatchObject({present: true, email: VM_EMAIL});

    const again = await context({GCE_METADATA_HOST: s.host});
    expect(await onGce(again)).toBe(true);
    expect(await metadataEmail(again)).toBe(VM_EMAIL);
    expect(await s.requests()).toHaveLength(1);
  });

  test('GCE_METADATA_IP is honoured when GCE_METADATA_HOST is not set', async () => {
    const s = await vm();
    expect(await onGce(await context({GCE_METADATA_IP: s.host}))).toBe(true);
    expect(await s.requests()).toHaveLength(1);
  });

  test.each([
    ['GCAUTH_CORE_CHECK_GCE_METADATA', 'false'],
    ['CLOUDSDK_CORE_CHECK_GCE_METADATA', 'False'],
    ['METADATA_SERVER_DETECTION', 'none'],
  ])('%s=%s turns detection off: no request even with a host named', async (name, value) => {
    const s = await vm();
    expect(await onGce(await context({GCE_METADATA_HOST: s.host, [name]: value}))).toBe(false);
    expect(await s.requests()).toEqual([]);
  });

  test('core/check_gce_metadata in the configuration turns it off; GCAUTH_ beats CLOUDSDK_', async () => {
    const s = await vm();
    const ctx = await context({GCE_METADATA_HOST: s.host});
    await ctx.configurations.update('default', (values) => {
      values.core = {...values.core, check_gce_metadata: 'false'};
    });
    expect(await onGce(await context({GCE_METADATA_HOST: s.host}))).toBe(false);
    expect(await onGce(await context({GCE_METADATA_HOST: s.host, GCAUTH_CORE_CHECK_GCE_METADATA: 'true', CLOUDSDK_CORE_CHECK_GCE_METADATA: 'false'}))).toBe(true);
    expect(await s.requests()).toHaveLength(1);
  });

  test('assume-present needs no probe; bios-only reads only sysfs; ping-only probes without residency', async () => {
    const s = await vm();
    expect(await onGce(await context({METADATA_SERVER_DETECTION: 'assume-present', GCE_METADATA_HOST: s.host}))).toBe(true);
    expect(await onGce(await context({METADATA_SERVER_DETECTION: 'bios-only', GCE_METADATA_HOST: s.host}))).toBe(false);
    expect(await onGce(await context({METADATA_SERVER_DETECTION: 'bios-only', GCE_METADATA_HOST: s.host}, {sysRoot: vmSysRoot()}))).toBe(true);
    expect(await s.requests()).toEqual([]);
    expect(await onGce(await context({METADATA_SERVER_DETECTION: 'ping-only'}, {metadataDefaultHost: s.host}))).toBe(true);
    expect(await s.requests()).toHaveLength(1);
  });

  test('an unknown METADATA_SERVER_DETECTION value is a usage error', async () => {
    await expect(onGce(await context({METADATA_SERVER_DETECTION: 'maybe'}))).rejects.toThrow(
      new UsageError('Invalid value for METADATA_SERVER_DETECTION: "maybe": expected one of none, assume-present, bios-only, ping-only.'),
    );
  });

  test.each([
    ['a Google BIOS vendor', {sysRoot: 'bios_vendor'}, {}],
    ['a GCE product name', {sysRoot: 'product_name'}, {}],
    ['a 42:01 MAC address', {mac: '42:01:0a:80:00:02'}, {}],
    ['Cloud Run', {}, {K_SERVICE: 'svc'}],
    ['a Cloud Run job', {}, {CLOUD_RUN_JOB: 'job'}],
    ['Cloud Functions', {}, {FUNCTION_NAME: 'fn'}],
  ])('residency from %s makes detection probe the default host', async (_what, signal: {sysRoot?: string; mac?: string}, env: Record<string, string>) => {
    const s = await vm();
    const options = {
      metadataDefaultHost: s.host,
      ...(signal.sysRoot ? {sysRoot: vmSysRoot(signal.sysRoot, 'Google\n')} : {}),
      ...(signal.mac ? {macAddresses: () => ['00:00:00:00:00:00', signal.mac!]} : {}),
    };
    expect(await onGce(await context(env, options))).toBe(true);
    expect(await s.requests()).toHaveLength(1);
  });

  test('no residency signal: the default host is never probed', async () => {
    const s = await vm();
    const options = {metadataDefaultHost: s.host, sysRoot: vmSysRoot('bios_vendor', 'SeaBIOS\n'), macAddresses: () => ['02:fc:00:00:00:01']};
    expect(await onGce(await context({}, options))).toBe(false);
    expect(await gceResidency({}, (await context({}, options)).gce)).toBe(false);
    expect(await s.requests()).toEqual([]);
  });

  test('the cache is keyed by host: another host is probed anew', async () => {
    const a = await vm();
    expect(await onGce(await context({GCE_METADATA_HOST: a.host}))).toBe(true);
    const other = await startEmulator({dataDir: tmpDir()});
    try {
      const b = await emulatedVm(other.url, {serviceAccount: null, fault: 'html'});
      expect(await onGce(await context({GCE_METADATA_HOST: b.host}))).toBe(false);
      expect(await b.requests()).toHaveLength(1);
      const hosts = (JSON.parse(readFileSync(gceFile(), 'utf8')) as {hosts: Record<string, {present: boolean}>}).hosts;
      expect(hosts[a.host]?.present).toBe(true);
      expect(hosts[b.host]?.present).toBe(false);
    } finally {
      await other.close();
    }
  });

  test('a negative answer is trusted for ten minutes, a positive one for an hour', async () => {
    const s = await vm({fault: 'html'});
    const t0 = Date.now();
    expect(await onGce(await context({GCE_METADATA_HOST: s.host}, {now: () => t0}))).toBe(false);
    expect(await onGce(await context({GCE_METADATA_HOST: s.host}, {now: () => t0 + NEGATIVE_CACHE_MS - 1000}))).toBe(false);
    expect(await s.requests()).toHaveLength(1);
    await s.setFault(null);
    expect(await onGce(await context({GCE_METADATA_HOST: s.host}, {now: () => t0 + NEGATIVE_CACHE_MS + 1000}))).toBe(true);
    expect(await s.requests()).toHaveLength(2);
    const t1 = t0 + NEGATIVE_CACHE_MS + 1000;
    expect(await onGce(await context({GCE_METADATA_HOST: s.host}, {now: () => t1 + POSITIVE_CACHE_MS - 1000}))).toBe(true);
    expect(await s.requests()).toHaveLength(2);
    expect(await onGce(await context({GCE_METADATA_HOST: s.host}, {now: () => t1 + POSITIVE_CACHE_MS + 1000}))).toBe(true);
    expect(await s.requests()).toHaveLength(3);
  });

  test('an HTML answer (a captive portal) is not a metadata server', async () => {
    const s = await vm({fault: 'html'});
    const detection = await detectMetadataServer(await context({GCE_METADATA_HOST: s.host}));
    expect(detection).toMatchObject({present: false, reason: 'its answer (HTTP 200) lacks the header Metadata-Flavor: Google'});
  });

  test('a named server that hangs is given up on within the probe bound (a request\'s 3 s: the user named it)', async () => {
    const s = await vm({fault: 'hang'});
    const started = Date.now();
    const ctx = await context({GCE_METADATA_HOST: s.host});
    expect(await onGce(ctx)).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(NAMED_HOST_PROBE_TIMEOUT_MS - 50);
    expect(Date.now() - started).toBeLessThan(NAMED_HOST_PROBE_TIMEOUT_MS + 1500);
    await expect(metadataEmail(ctx)).rejects.toThrow(
      new NoMetadataServerError(`GCE_METADATA_HOST names [${s.host}], which did not answer as a metadata server (no answer within 3000 ms).`),
    );
  });

  test('a VM without a service account is a metadata server with no account', async () => {
    const s = await vm({serviceAccount: null});
    const ctx = await context({GCE_METADATA_HOST: s.host});
    expect(await onGce(ctx)).toBe(true);
    await expect(metadataEmail(ctx)).rejects.toThrow(NoMetadataServerError);
    await expect(metadataEmail(ctx)).rejects.toThrow(/has no service account for this VM\. Attach one: gcloud compute instances set-service-account/);
  });
});

describe('the endpoints', () => {
  test('the access token is cached: many callers, one request', async () => {
    const s = await vm({tokenDelayMs: 100});
    const ctx = await context({GCE_METADATA_HOST: s.host});
    const tokens = await Promise.all(Array.from({length: 10}, () => metadataAccessToken(ctx)));
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(await s.tokenOwner(tokens[0]!.token)).toEqual({account: VM_EMAIL, scopes: [CLOUD_PLATFORM]});
    expect(tokens[0]!.account).toBe(VM_EMAIL);
    expect(tokens[0]!.expiry - Date.now()).toBeGreaterThan(3500_000);
    expect(await s.tokenRequests()).toEqual(['/computeMetadata/v1/instance/service-accounts/default/token']);
    expect((await metadataAccessToken(await context({GCE_METADATA_HOST: s.host}))).token).toBe(tokens[0]!.token);
    expect(await s.tokenRequests()).toHaveLength(1);
    expect((await s.stats()).tokensIssued.metadata).toBe(1);
  });

  test('scopes are asked for with ?scopes= and cached apart from the default token', async () => {
    const s = await vm();
    const ctx = await context({GCE_METADATA_HOST: s.host});
    const scoped = await metadataAccessToken(ctx, [READ_ONLY]);
    expect(await s.tokenOwner(scoped.token)).toEqual({account: VM_EMAIL, scopes: [READ_ONLY]});
    expect(await s.tokenRequests()).toEqual(['/computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdevstorage.read_only']);
    const unscoped = await metadataAccessToken(ctx);
    expect(await s.tokenOwner(unscoped.token)).toEqual({account: VM_EMAIL, scopes: [CLOUD_PLATFORM]});
    expect(await s.tokenRequests()).toEqual([
      '/computeMetadata/v1/instance/service-accounts/default/token?scopes=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fdevstorage.read_only',
      '/computeMetadata/v1/instance/service-accounts/default/token',
    ]);
    expect((await s.stats()).tokensIssued.metadata).toBe(2);
    expect(readdirSync(path.join(configDir(), 'access_tokens')).filter((n) => n.endsWith('.json'))).toHaveLength(2);
  });

  test('identity tokens carry the audience and, with format=full, the email; cached per audience', async () => {
    const s = await vm();
    const ctx = await context({GCE_METADATA_HOST: s.host});
    const token = await metadataIdentityToken(ctx, 'https://svc.example.com');
    const claims = JSON.parse(Buffer.from(token.token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({aud: 'https://svc.example.com', email: VM_EMAIL, email_verified: true});
    expect(token.expiry).toBe((claims.exp as number) * 1000);
    await metadataIdentityToken(ctx, 'https://svc.example.com');
    await metadataIdentityToken(ctx, 'https://other.example.com', {format: 'standard'});
    expect((await s.requests()).filter((r) => r.includes('/identity'))).toEqual([
      '/computeMetadata/v1/instance/service-accounts/default/identity?audience=https%3A%2F%2Fsvc.example.com&format=full',
      '/computeMetadata/v1/instance/service-accounts/default/identity?audience=https%3A%2F%2Fother.example.com&format=standard',
    ]);
  });

  test('email, scopes and project id', async () => {
    const s = await vm({scopes: [READ_ONLY, 'https://www.googleapis.com/auth/logging.write']});
    const ctx = await context({GCE_METADATA_HOST: s.host});
    expect(await metadataEmail(ctx)).toBe(VM_EMAIL);
    expect(await metadataScopes(ctx)).toEqual([READ_ONLY, 'https://www.googleapis.com/auth/logging.write']);
    expect(await metadataProjectId(ctx)).toBe('vm-project');
  });

  test('off GCE every endpoint is NoMetadataServerError, with no request', async () => {
    const ctx = await context({});
    await expect(metadataAccessToken(ctx)).rejects.toThrow(NoMetadataServerError);
    await expect(metadataScopes(ctx)).rejects.toThrow(NoMetadataServerError);
    await expect(metadataIdentityToken(ctx, 'x')).rejects.toThrow(NoMetadataServerError);
  });

  test('a 503 is retried within the budget', async () => {
    const s = await vm({fault: 'token-503-once'});
    const {token} = await metadataAccessToken(await context({GCE_METADATA_HOST: s.host}));
    expect(await s.tokenOwner(token)).toEqual({account: VM_EMAIL, scopes: [CLOUD_PLATFORM]});
    expect(await s.tokenRequests()).toHaveLength(2);
    expect((await s.stats()).tokensIssued.metadata).toBe(1);
  });

  test.each([
    ['token-404', NoMetadataServerError, /has no service account for this VM/],
    ['token-not-json', ApiError, /answered the token request with something that is not a token/],
  ] as const)('a token answer of %s is one clear error and nothing is cached', async (fault, type, message) => {
    const s = await vm({fault});
    const ctx = await context({GCE_METADATA_HOST: s.host});
    const failure = metadataAccessToken(ctx);
    await expect(failure).rejects.toThrow(type);
    await expect(failure).rejects.toThrow(message);
    const tokens = path.join(configDir(), 'access_tokens');
    expect(existsSync(tokens) ? readdirSync(tokens).filter((n) => n.endsWith('.json')) : []).toEqual([]);
  });

  test('a token request that hangs fails within its bound, without a retry', async () => {
    const s = await vm({fault: 'token-hang'});
    const started = Date.now();
    await expect(metadataAccessToken(await context({GCE_METADATA_HOST: s.host}))).rejects.toThrow(
      new ApiError(`Could not get an access token from the metadata server at ${s.host}: no answer within 3000 ms.`),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await s.tokenRequests()).toHaveLength(1);
  });

  test('a request without Metadata-Flavor is refused by the server (as Google does), so the header is sent', async () => {
    const s = await vm();
    const answer = await fetch(`http://${s.host}/computeMetadata/v1/instance/service-accounts/default/email`);
    expect(answer.status).toBe(403);
    expect(await metadataEmail(await context({GCE_METADATA_HOST: s.host}))).toBe(VM_EMAIL);
  });
});

test.each([
  ['{"access_token":"ya29.a","expires_in":3599,"token_type":"Bearer"}', {token: 'ya29.a', expiresIn: 3599}],
  ['{"access_token":"ya29.a"}', undefined],
  ['{"access_token":"","expires_in":3599}', undefined],
  ['{"access_token":"ya29.a","expires_in":"3599"}', undefined],
  ['<html></html>', undefined],
  ['null', undefined],
])('parseTokenAnswer(%s)', (body, expected) => {
  expect(parseTokenAnswer(body)).toEqual(expected);
});
