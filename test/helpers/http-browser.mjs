#!/usr/bin/env node
// A BROWSER for tests, at the HTTP level: fetches the consent page it is given, submits its form
// with Allow or Deny, and follows the redirect to gcauth's loopback listener.
// Environment: GCAUTH_TEST_BROWSER_ACTION=allow|deny (default allow), GCAUTH_TEST_BROWSER_USER (default the
// preselected user), GCAUTH_TEST_BROWSER_TAMPER=state (replace the returned state: a forged redirect),
// GCAUTH_TEST_BROWSER_LOG=FILE (where the loopback page's status and body are written as JSON).
import {renameSync, writeFileSync} from 'node:fs';

const url = process.argv[2];
const env = process.env;
// Written aside and renamed into place, so a test that waits for the file never reads it half-written.
const log = (record) => {
  const file = env.GCAUTH_TEST_BROWSER_LOG;
  if (!file) return;
  writeFileSync(`${file}.tmp`, JSON.stringify(record));
  renameSync(`${file}.tmp`, file);
};
try {
  const page = await fetch(url);
  const html = await page.text();
  if (!page.ok) throw new Error(`consent page answered ${page.status}: ${html}`);
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1];
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const checked = /value="([^"]+)"[^>]*checked/.exec(html)?.[1];
  if (!request || !action) throw new Error(`no consent form in: ${html}`);
  const form = new URLSearchParams({request, decision: env.GCAUTH_TEST_BROWSER_ACTION ?? 'allow', user: env.GCAUTH_TEST_BROWSER_USER ?? checked ?? ''});
  const decided = await fetch(new URL(action, url), {method: 'POST', body: form, redirect: 'manual'});
  const location = decided.headers.get('location');
  if (!location) throw new Error(`the decision answered ${decided.status} without a redirect: ${await decided.text()}`);
  const target = new URL(location);
  if (env.GCAUTH_TEST_BROWSER_TAMPER === 'state') target.searchParams.set('state', 'forged-by-the-test');
  const landing = await fetch(target);
  log({status: landing.status, body: await landing.text()});
} catch (error) {
  log({error: String(error)});
  console.error(String(error));
  process.exit(1);
}
