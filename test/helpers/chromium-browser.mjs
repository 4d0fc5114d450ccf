#!/usr/bin/env node
// A BROWSER for the e2e test: opens the URL in Debian's headless Chromium through playwright-core (never a
// downloaded browser), screenshots the consent page, clicks Allow or Deny, and waits for gcauth's loopback page.
// Environment: GCAUTH_TEST_BROWSER_ACTION=allow|deny (default allow), GCAUTH_TEST_SCREENSHOT=FILE.png,
// GCAUTH_TEST_BROWSER_LOG=FILE (the landing page's text, or the error, as JSON), CHROMIUM_PATH (default /usr/bin/chromium).
import {mkdtempSync, renameSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

import {chromium} from 'playwright-core';

const url = process.argv[2];
const env = process.env;
// Written whole and renamed into place, so a test that sees the file appear reads all of it.
const log = (record) => {
  const file = env.GCAUTH_TEST_BROWSER_LOG;
  if (!file) return;
  writeFileSync(`${file}.tmp`, JSON.stringify(record));
  renameSync(`${file}.tmp`, file);
};
const profile = mkdtempSync(path.join(tmpdir(), 'gcauth-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: env.CHROMIUM_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  await page.waitForSelector('#allow');
  if (env.GCAUTH_TEST_SCREENSHOT) await page.screenshot({path: env.GCAUTH_TEST_SCREENSHOT, fullPage: true});
  const landed = page.waitForURL((u) => u.hostname === '127.0.0.1' && u.port !== new URL(url).port, {waitUntil: 'load', timeout: 30_000});
  await page.click(env.GCAUTH_TEST_BROWSER_ACTION === 'deny' ? '#deny' : '#allow');
  await landed;
  log({url: page.url(), title: await page.title(), text: await page.innerText('body')});
} catch (error) {
  log({error: String(error)});
  console.error(String(error));
  process.exitCode = 1;
} finally {
  await context?.close().catch(() => undefined);
  rmSync(profile, {recursive: true, force: true});
}
