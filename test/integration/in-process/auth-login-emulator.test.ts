/**
 * auth login's core against the in-process emulator with a fake clock: the real token endpoint, consent
 * page and JWKS, with one effect swapped to play an attacker or the passage of time.
 */
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {startEmulator, type RunningEmulator} from '../../../src/emulator/server.js';
import {loginFlowDeps, loginUser, type LoginOptions} from '../../../src/lib/auth/login/login.js';
import {createPkce, type LoginFlowDeps} from '../../../src/lib/auth/login/flow.js';
import {fakeContext} from '../../helpers/context.js';
import {snapshot} from '../../helpers/fs.js';

const USER = 'alice@example.com';
const LOGIN: LoginOptions = {launchBrowser: true, force: false, activate: true, updateAdc: false};
let clock = Date.now();
let emu: RunningEmulator;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcauth-login-emu-'));
  emu = await startEmulator({dataDir: path.join(dir, 'emu'), users: [USER], now: () => clock});
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, {recursive: true, force: true});
});

async function ctxFor(name: string) {
  return fakeContext({
    configDir: path.join(dir, name),
    env: {
      GCAUTH_AUTH_TOKEN_HOST: `${emu.url}/token`,
      GCAUTH_AUTH_AUTH_HOST: `${emu.url}/o/oauth2/v2/auth`,
      GCAUTH_AUTH_CLIENT_ID: 'inproc-client',
      GCAUTH_AUTH_CLIENT_SECRET: 'inproc-secret',
      CLOUDSDK_CONFIG: path.join(dir, name, 'gcloud'),
      DISPLAY: ':0',
    },
  });
}

/** Clicks Allow on the consent page; `beforeRedirect` runs between the click and the browser following the redirect. */
const allowInBrowser =
  (beforeRedirect: () => void = () => undefined): LoginFlowDeps['openBrowser'] =>
  async (url) => {
    const html = await (await fetch(url)).text();
    const request = /name="request" value="([^"]+)"/.exec(html)![1]!;
    const decided = await fetch(`${emu.url}/o/oauth2/v2/auth/decision`, {method: 'POST', body: new URLSearchParams({request, decision: 'allow', user: USER}), redirect: 'manual'});
    beforeRedirect();
    void fetch(decided.headers.get('location')!).then((r) => r.text());
  };

test('Allow: the real exchange and the id token verified against the emulator JWKS', async () => {
  const {ctx} = await ctxFor('ok');
  expect(await loginUser(LOGIN, ctx, {openBrowser: allowInBrowser()})).toMatchObject({account: USER, reused: false});
  expect(await ctx.store.get(USER)).toMatchObject({type: 'authorized_user', tokenUri: `${emu.url}/token`, clientId: 'inproc-client'});
});

test('the code presented with another PKCE verifier (an intercepted code): the emulator refuses it, nothing stored', async () => {
  const {ctx, configDir} = await ctxFor('pkce');
  const real = loginFlowDeps(ctx, `${emu.url}/token`).exchangeCode;
  const before = snapshot(configDir);
  await expect(
    loginUser(LOGIN, ctx, {openBrowser: allowInBrowser(), exchangeCode: (request) => real({...request, codeVerifier: createPkce().verifier})}),
  ).rejects.toThrow(/^The token endpoint refused the authorization code \(invalid_grant.*Nothing was stored\.$/);
  expect(snapshot(configDir)).toEqual(before);
});

test('a code that expired (11 minutes between consent and exchange): refused, nothing stored', async () => {
  const {ctx, configDir} = await ctxFor('expired');
  const before = snapshot(configDir);
  const start = clock;
  try {
    await expect(loginUser(LOGIN, ctx, {openBrowser: allowInBrowser(() => (clock += 11 * 60_000))})).rejects.toThrow(
      /^The token endpoint refused the authorization code \(invalid_grant.*it may have expired or been used already\. Run the login again\. Nothing was stored\.$/,
    );
  } finally {
    clock = start;
  }
  expect(snapshot(configDir)).toEqual(before);
});

test('the id token checked with another client id (a token minted for someone else): refused, nothing stored', async () => {
  const {ctx, configDir} = await ctxFor('aud');
  const real = loginFlowDeps(ctx, `${emu.url}/token`).verifyIdToken;
  const before = snapshot(configDir);
  await expect(loginUser(LOGIN, ctx, {openBrowser: allowInBrowser(), verifyIdToken: (token) => real(token, 'another-client')})).rejects.toThrow(
    /did not verify against http:\/\/127\.0\.0\.1:\d+\/oauth2\/v3\/certs: unexpected "aud" claim value/,
  );
  expect(snapshot(configDir)).toEqual(before);
});
