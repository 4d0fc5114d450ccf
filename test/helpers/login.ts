/**
 * The environment of a browser login (`auth login`, `auth application-default login`) against an emulator: a fresh
 * config dir and gcloud config dir, the emulator's consent page and an OAuth client it knows, and
 * test/helpers/http-browser.mjs as BROWSER, which drives the page at the HTTP level and logs where it landed.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';

import {emulatorEnv} from './cli.js';
import {repoRoot, tmpDir} from './emulator.js';
import {waitForEntry} from './wait.js';

/** The OAuth client the login environment names (any client is accepted by the emulator). */
export const LOGIN_CLIENT = {id: 'test-client.apps.example', secret: 'test-secret'};

/** What the browser driver logged: the landing page's status and body, or its error. */
export interface BrowserLanding {
  status?: number;
  body?: string;
  error?: string;
}

export interface LoginSandbox {
  env: Record<string, string>;
  /** The temp dir holding everything below. */
  dir: string;
  /** gcauth's config dir (GCAUTH_CONFIG). */
  config: string;
  /** The ADC file `auth application-default login` writes (under CLOUDSDK_CONFIG). */
  adc: string;
  /** The driver's log, once it is written: it renames it into place after gcauth answered, and gcauth may exit first. */
  landing(): Promise<BrowserLanding>;
}

/** A fresh login environment for the emulator at `url`; `extra` is added last (e.g. GCAUTH_TEST_BROWSER_ACTION: 'deny'). */
export function browserLoginEnv(url: string, extra: Record<string, string> = {}): LoginSandbox {
  const dir = tmpDir();
  const log = path.join(dir, 'browser.json');
  const env = {
    ...emulatorEnv(url, path.join(dir, 'gcauth')),
    GCAUTH_AUTH_AUTH_HOST: `${url}/o/oauth2/v2/auth`,
    GCAUTH_AUTH_CLIENT_ID: LOGIN_CLIENT.id,
    GCAUTH_AUTH_CLIENT_SECRET: LOGIN_CLIENT.secret,
    CLOUDSDK_CONFIG: path.join(dir, 'gcloud'),
    GCAUTH_LOGIN_TIMEOUT: '30',
    BROWSER: `${process.execPath} ${path.join(repoRoot, 'test', 'helpers', 'http-browser.mjs')}`,
    GCAUTH_TEST_BROWSER_LOG: log,
    ...extra,
  };
  const landing = async () => {
    await waitForEntry(dir, (name) => name === path.basename(log), "the browser driver's log");
    return JSON.parse(readFileSync(log, 'utf8')) as BrowserLanding;
  };
  return {env, dir, config: path.join(dir, 'gcauth'), adc: path.join(dir, 'gcloud', 'application_default_credentials.json'), landing};
}
