/**
 * gcauth behind the networks of companies, with real servers from Debian's packages: an HTTP forward proxy with basic
 * auth (tinyproxy), a SOCKS5 proxy with a user and password (microsocks) and a TLS gateway with its own CA in front of
 * the emulator (stunnel). Through each, a key is activated, a token printed, IAM called and the Docker helper refreshes
 * an expired token; each proxy's own log proves the requests went through it. Refusals are one line naming the proxy
 * (never its password) or the property to fix; the metadata server and no_proxy hosts are reached directly.
 */
import {readFileSync, writeFileSync} from 'node:fs';
import {rootCertificates} from 'node:tls';

import {emulatorEnv, runCli, runHelper} from '../helpers/cli.js';
import {emulatedVm} from '../helpers/emulated-vm.js';
import {startEmulatorProcess, tmpDir, type EmulatorProcess} from '../helpers/emulator.js';
import {missingPrograms, startMicrosocks, startTinyproxy, startTlsGateway, type Microsocks, type Tinyproxy, type TlsGateway} from '../helpers/network-servers.js';
import {expireCachedTokens} from '../helpers/sandbox.js';
import {sayWhySkipped} from '../helpers/skip.js';

const missing = missingPrograms();
if (missing.length > 0) sayWhySkipped(`networks.test.ts skipped: ${missing.join(', ')} not installed (Debian packages tinyproxy, microsocks, stunnel4, openssl; .ci/run installs them)`);
const suite = missing.length > 0 ? describe.skip : describe;

const PROXY_USER = 'alice';
const PROXY_PASSWORD = 'pr0xy-s3cret';

let emu: EmulatorProcess;
let owner: string;
let tinyproxy: Tinyproxy;
let socks: Microsocks;
let gateway: TlsGateway;

/** What sets the proxy, as a user would with `gcauth config set proxy/...`, in the environment form. */
const proxyProperties = (type: string, port: number, password = PROXY_PASSWORD): Record<string, string> => ({
  GCAUTH_PROXY_TYPE: type,
  GCAUTH_PROXY_ADDRESS: '127.0.0.1',
  GCAUTH_PROXY_PORT: String(port),
  GCAUTH_PROXY_USERNAME: PROXY_USER,
  GCAUTH_PROXY_PASSWORD: password,
});

/** A fresh config dir and HOME pointed at `url` (the emulator, or the gateway in front of it), with extra settings. */
function sandbox(url: string, extra: Record<string, string> = {}): Record<string, string> {
  const home = tmpDir('gcauth-net-home-');
  return {...emulatorEnv(url, `${home}/gcauth`), HOME: home, DOCKER_CONFIG: `${home}/docker`, GCAUTH_CORE_CHECK_GCE_METADATA: 'false', ...extra};
}

/**
 * The four things users do, through whatever env sets up: activate the key, print a token, an IAM call, and the
 * Docker helper's `get` after the cached token expired (a refresh from the Node helper).
 */
async function everydayCommands(env: Record<string, string>): Promise<void> {
  const activated = await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env});
  expect(activated).toMatchObject({exitCode: 0, stderr: expect.stringContaining(`Activated service account credentials for: [${owner}]`)});
  const printed = await runCli(['auth', 'print-access-token'], {env});
  expect(printed).toMatchObject({exitCode: 0, stdout: expect.stringMatching(/^ya29\.\S+\n$/)});
  const listed = await runCli(['iam', 'service-accounts', 'list', `--project=${emu.project}`, '--format=value(email)'], {env});
  expect(listed).toMatchObject({exitCode: 0, stdout: expect.stringContaining(`${owner}\n`)});
  expireCachedTokens(env.GCAUTH_CONFIG!);
  const helper = await runHelper(['get'], {env, input: 'gcr.io'});
  expect(helper).toMatchObject({exitCode: 0, stdout: expect.stringMatching(/"Secret":"ya29\.[^"]+"/)});
  expect(JSON.parse(helper.stdout).Secret).not.toBe(printed.stdout.trim());
}

/** A failed command's whole output: exactly one ERROR line on stderr, nothing on stdout. */
function oneErrorLine(result: {stdout: string; stderr: string; exitCode: number}): string {
  expect(result.exitCode).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^ERROR: [^\n]+\n$/);
  return result.stderr;
}

beforeAll(async () => {
  if (missing.length > 0) return;
  emu = await startEmulatorProcess();
  owner = (JSON.parse(readFileSync(emu.ownerKeyFile, 'utf8')) as {client_email: string}).client_email;
  [tinyproxy, socks, gateway] = await Promise.all([startTinyproxy(PROXY_USER, PROXY_PASSWORD), startMicrosocks(PROXY_USER, PROXY_PASSWORD), startTlsGateway(new URL(emu.url).host)]);
}, 60_000);
afterAll(async () => {
  await Promise.all([tinyproxy?.stop(), socks?.stop(), gateway?.stop(), emu?.stop()]);
});

const emulatorHost = () => new URL(emu.url).host;

suite('an HTTP proxy with basic auth (tinyproxy)', () => {
  test('proxy/type http: every command works, each request a CONNECT tunnel in the proxy log', async () => {
    const before = tinyproxy.requests().length;
    await everydayCommands(sandbox(emu.url, proxyProperties('http', tinyproxy.port)));
    const seen = tinyproxy.requests().slice(before);
    // activate (1 token), print (cached), IAM (1), helper refresh (1): at least three tunnels, nothing else.
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every((line) => line === `CONNECT ${emulatorHost()} HTTP/1.1`)).toBe(true);
  });

  test('proxy/type http_no_tunnel: http:// requests are handed to the proxy whole', async () => {
    const before = tinyproxy.requests().length;
    await everydayCommands(sandbox(emu.url, proxyProperties('http_no_tunnel', tinyproxy.port)));
    const seen = tinyproxy.requests().slice(before);
    expect(seen).toEqual(expect.arrayContaining([`POST ${emu.url}/token HTTP/1.1`, expect.stringMatching(new RegExp(`^GET ${emu.url}/iam/v1/projects/${emu.project}/serviceAccounts`))]));
    expect(seen.some((line) => line.startsWith('CONNECT'))).toBe(false);
  });

  test('https_proxy / http_proxy in the environment when no property is set; no_proxy exempts a host', async () => {
    const proxyUrl = `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${tinyproxy.port}`;
    let before = tinyproxy.requests().length;
    const env = sandbox(emu.url, {http_proxy: proxyUrl});
    await everydayCommands(env);
    expect(tinyproxy.requests().slice(before)).toContain(`POST ${emu.url}/token HTTP/1.1`);

    before = tinyproxy.requests().length;
    await everydayCommands({...sandbox(emu.url, {...proxyProperties('http', tinyproxy.port), NO_PROXY: 'localhost,127.0.0.1'})});
    expect(tinyproxy.requests().slice(before)).toEqual([]);
  });

  test("all_proxy when no scheme-specific variable is set (curl's rule); no_proxy still exempts a host", async () => {
    const proxyUrl = `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${tinyproxy.port}`;
    let before = tinyproxy.requests().length;
    await everydayCommands(sandbox(emu.url, {ALL_PROXY: proxyUrl}));
    expect(tinyproxy.requests().slice(before)).toContain(`POST ${emu.url}/token HTTP/1.1`);

    before = tinyproxy.requests().length;
    await everydayCommands(sandbox(emu.url, {all_proxy: proxyUrl, no_proxy: '127.0.0.1'}));
    expect(tinyproxy.requests().slice(before)).toEqual([]);
  });

  test("gcloud's CLOUDSDK_PROXY_* variables set the proxy as the properties do", async () => {
    const before = tinyproxy.requests().length;
    const gcloudForm = Object.fromEntries(Object.entries(proxyProperties('http', tinyproxy.port)).map(([name, value]) => [name.replace(/^GCAUTH_/, 'CLOUDSDK_'), value]));
    await everydayCommands(sandbox(emu.url, gcloudForm));
    const seen = tinyproxy.requests().slice(before);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every((line) => line === `CONNECT ${emulatorHost()} HTTP/1.1`)).toBe(true);
  });

  test('wrong or missing credentials: one line naming the proxy and the properties, never the password', async () => {
    const wrong = oneErrorLine(await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env: sandbox(emu.url, proxyProperties('http', tinyproxy.port, 'nope'))}));
    expect(wrong).toBe(
      `ERROR: Could not get an access token for [${owner}] from ${emu.url}/token: the proxy http://${PROXY_USER}@127.0.0.1:${tinyproxy.port} ` +
        '(proxy/type, proxy/address and proxy/port) refused its credentials (HTTP 401): check proxy/username and proxy/password.\n',
    );
    const {GCAUTH_PROXY_USERNAME: _u, GCAUTH_PROXY_PASSWORD: _p, ...anonymous} = proxyProperties('http', tinyproxy.port);
    const none = oneErrorLine(await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env: sandbox(emu.url, anonymous)}));
    expect(none).toMatch(/asks for credentials \(HTTP 407\): set proxy\/username and proxy\/password\.\n$/);
    expect(wrong + none).not.toContain('nope');
  });

  test('the metadata server is never proxied; an API call on the same VM is', async () => {
    const vm = await emulatedVm(emu.url, {serviceAccount: `vm-runner@${emu.project}.iam.gserviceaccount.com`});
    const env = {...sandbox(emu.url, proxyProperties('http', tinyproxy.port)), GCE_METADATA_HOST: vm.host, GCAUTH_CORE_CHECK_GCE_METADATA: 'true'};
    const before = tinyproxy.requests().length;
    expect(await runCli(['auth', 'print-access-token'], {env})).toMatchObject({exitCode: 0, stdout: expect.stringMatching(/^ya29\./)});
    expect(await vm.tokenRequests()).toHaveLength(1);
    expect(tinyproxy.requests().slice(before)).toEqual([]);
    await runCli(['iam', 'service-accounts', 'list', `--project=${emu.project}`], {env});
    expect(tinyproxy.requests().slice(before)).toEqual([`CONNECT ${emulatorHost()} HTTP/1.1`]);
    await emulatedVm(emu.url, {serviceAccount: null});
  });
});

suite('a SOCKS5 proxy with a user and password (microsocks)', () => {
  test('proxy/type socks5: every command works, each request a connection the proxy made', async () => {
    const before = socks.connections().length;
    await everydayCommands(sandbox(emu.url, proxyProperties('socks5', socks.port)));
    const seen = socks.connections().slice(before);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seen)).toEqual(new Set([emulatorHost()]));
  });

  test('a wrong password, or the wrong proxy/type: one line naming the proxy', async () => {
    const env = sandbox(emu.url, proxyProperties('socks5', socks.port, 'nope'));
    const wrong = oneErrorLine(await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env}));
    expect(wrong).toBe(
      `ERROR: Could not get an access token for [${owner}] from ${emu.url}/token: the proxy socks5h://${PROXY_USER}@127.0.0.1:${socks.port} (proxy/type, proxy/address and proxy/port) ` +
        'failed: Socks5 Authentication failed; check proxy/username and proxy/password.\n',
    );
    const asHttp = oneErrorLine(await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env: sandbox(emu.url, proxyProperties('http', socks.port))}));
    expect(asHttp).toContain(`the proxy http://${PROXY_USER}@127.0.0.1:${socks.port} (proxy/type, proxy/address and proxy/port) failed: `);
    expect(asHttp).toMatch(/check that proxy\/type is right\.\n$/);
  });
});

suite('a TLS gateway with its own CA (stunnel)', () => {
  test('not trusted without core/custom_ca_certs_file: one line saying so and naming the property', async () => {
    const result = await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env: sandbox(gateway.url)});
    expect(oneErrorLine(result)).toBe(
      `ERROR: Could not get an access token for [${owner}] from ${gateway.url}/token: the certificate of 127.0.0.1:${gateway.port} is not trusted ` +
        '(unable to verify the first certificate): trust the CA that signed it with core/custom_ca_certs_file.\n',
    );
  });

  test('core/custom_ca_certs_file: every command works, the helper too', async () => {
    const env = sandbox(gateway.url);
    expect(await runCli(['config', 'set', 'core/custom_ca_certs_file', gateway.caFile], {env})).toMatchObject({exitCode: 0});
    await everydayCommands(env);
  });

  test('core/custom_ca_certs_file and a proxy together: the tunnel carries TLS checked against the CA', async () => {
    const before = tinyproxy.requests().length;
    await everydayCommands(sandbox(gateway.url, {...proxyProperties('http', tinyproxy.port), GCAUTH_CORE_CUSTOM_CA_CERTS_FILE: gateway.caFile}));
    expect(tinyproxy.requests().slice(before)).toContain(`CONNECT 127.0.0.1:${gateway.port} HTTP/1.1`);
  });

  test('core/custom_ca_certs_file keeps the CAs of NODE_EXTRA_CA_CERTS, as Node does without it', async () => {
    // A bundle that does not hold the gateway's CA: only NODE_EXTRA_CA_CERTS does.
    const otherBundle = `${tmpDir()}/other-ca.pem`;
    writeFileSync(otherBundle, rootCertificates[0]!);
    const env = sandbox(gateway.url, {GCAUTH_CORE_CUSTOM_CA_CERTS_FILE: otherBundle, NODE_EXTRA_CA_CERTS: gateway.caFile});
    expect(await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env})).toMatchObject({exitCode: 0});
  });

  test("auth/disable_ssl_validation: works, with gcloud's warning on stderr", async () => {
    const env = sandbox(gateway.url, {GCAUTH_AUTH_DISABLE_SSL_VALIDATION: 'true'});
    const result = await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env});
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      "WARNING: Unverified HTTPS request is being made to host '127.0.0.1'. Adding certificate verification is strongly advised (auth/disable_ssl_validation is set).\n",
    );
  });

  test('a missing or unreadable CA bundle: one line naming the property and the file', async () => {
    const missingFile = `${tmpDir()}/corp-ca.pem`;
    const result = await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env: sandbox(gateway.url, {GCAUTH_CORE_CUSTOM_CA_CERTS_FILE: missingFile})});
    expect(oneErrorLine(result)).toBe(`ERROR: Cannot read the CA bundle core/custom_ca_certs_file [${missingFile}]: no such file.\n`);
    const notPem = await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env: sandbox(gateway.url, {GCAUTH_CORE_CUSTOM_CA_CERTS_FILE: emu.ownerKeyFile})});
    expect(oneErrorLine(notPem)).toBe(`ERROR: The CA bundle core/custom_ca_certs_file [${emu.ownerKeyFile}] holds no PEM certificate (-----BEGIN CERTIFICATE-----).\n`);
  });
});

suite('with the proxies stopped', () => {
  test('each command fails at once with the proxy named', async () => {
    await Promise.all([tinyproxy.stop(), socks.stop()]);
    for (const [type, port] of [['http', tinyproxy.port], ['socks5', socks.port]] as const) {
      const env = sandbox(emu.url, proxyProperties(type, port));
      const result = await runCli(['auth', 'activate-service-account', `--key-file=${emu.ownerKeyFile}`], {env, timeoutMs: 20_000});
      const scheme = type === 'http' ? 'http' : 'socks5h';
      expect(oneErrorLine(result)).toBe(
        `ERROR: Could not get an access token for [${owner}] from ${emu.url}/token: the proxy ${scheme}://${PROXY_USER}@127.0.0.1:${port} ` +
          '(proxy/type, proxy/address and proxy/port) refused the connection.\n',
      );
    }
  });
});
