/** The loopback listener answers exactly one redirect to `/` and ignores everything else. */
import {startLoopbackServer, resultPage} from '../../../src/lib/auth/login/loopback.js';

test('127.0.0.1 only; other paths and methods get 404 without settling; the first redirect is held for the outcome, a second is refused', async () => {
  const server = await startLoopbackServer();
  try {
    expect(server.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await fetch(`${server.redirectUri}favicon.ico`)).status).toBe(404);
    expect((await fetch(`${server.redirectUri}?code=c&state=s`, {method: 'POST'})).status).toBe(404);
    expect((await fetch(server.redirectUri)).status).toBe(404);
    const first = fetch(`${server.redirectUri}?code=c1&state=s1`);
    const pending = await server.redirect;
    expect(pending.response).toEqual({code: 'c1', state: 's1', error: undefined, errorDescription: undefined});
    const second = await fetch(`${server.redirectUri}?code=c2&state=s2`);
    expect(second.status).toBe(400);
    expect(await second.text()).toContain('already finished');
    pending.finish({ok: true, message: 'done <b>'});
    const page = await first;
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('done &#60;b&#62;');
  } finally {
    await server.close();
  }
});

test('closing answers a held browser request with a failure page', async () => {
  const server = await startLoopbackServer();
  const held = fetch(`${server.redirectUri}?error=access_denied&state=s`);
  await server.redirect;
  await server.close();
  const page = await held;
  expect(page.status).toBe(400);
  expect(await page.text()).toContain('The login was interrupted.');
  expect(resultPage(false, 'x')).toContain('<h1 id="failure">');
});
