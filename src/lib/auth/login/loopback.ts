/** The loopback redirect of the installed-app OAuth flow: one 127.0.0.1 listener, one answer. */
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';

import {AuthError, UsageError} from '../../errors.js';

/** What the authorization server sent back to the redirect URI. */
export interface AuthorizationResponse {
  code?: string;
  state?: string;
  error?: string;
  errorDescription?: string;
}

/** A redirect that arrived, held open so the browser is told the real outcome once the login finished. */
export interface PendingRedirect {
  response: AuthorizationResponse;
  /** Answers the browser with a plain success or failure page. */
  finish(outcome: {ok: boolean; message: string}): void;
}

export interface LoopbackServer {
  /** `http://127.0.0.1:PORT/`. */
  redirectUri: string;
  /** Settles with the first redirect to `/` carrying `code` or `error`. */
  redirect: Promise<PendingRedirect>;
  /** Stops listening (idempotent); a held browser request is answered first. */
  close(): Promise<void>;
}

/** A plain page for the browser: no scripts, no external resources. */
export function resultPage(ok: boolean, message: string): string {
  const title = ok ? 'gcauth: signed in' : 'gcauth: sign-in failed';
  const escaped = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><h1 id="${ok ? 'success' : 'failure'}">${ok ? 'You are signed in' : 'Sign-in failed'}</h1>
<p>${escaped}</p><p>You can close this tab and return to the terminal.</p></body></html>
`;
}

/**
 * Listens on 127.0.0.1 (port 0: any free port) for the authorization server's redirect.
 * Requests for any other path (a favicon) get 404 and are otherwise ignored.
 * @throws UsageError when a requested port is in use.
 */
export async function startLoopbackServer(options: {port?: number} = {}): Promise<LoopbackServer> {
  let settle!: (redirect: PendingRedirect) => void;
  const redirect = new Promise<PendingRedirect>((resolve) => (settle = resolve));
  let held: ServerResponse | undefined;
  let done = false;
  const answer = (res: ServerResponse, ok: boolean, message: string) => {
    if (res.writableEnded) return;
    res.writeHead(ok ? 200 : 400, {'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close'});
    res.end(resultPage(ok, message));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const q = url.searchParams;
    if (req.method !== 'GET' || url.pathname !== '/' || (!q.has('code') && !q.has('error'))) {
      res.writeHead(404, {'content-type': 'text/plain', connection: 'close'}).end('Not found\n');
      return;
    }
    if (done) {
      answer(res, false, 'This sign-in has already finished; run the login command again if you need to.');
      return;
    }
    done = true;
    held = res;
    settle({
      response: {
        code: q.get('code') ?? undefined,
        state: q.get('state') ?? undefined,
        error: q.get('error') ?? undefined,
        errorDescription: q.get('error_description') ?? undefined,
      },
      finish: ({ok, message}) => answer(res, ok, message),
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new UsageError(`Port ${options.port} on 127.0.0.1 is in use: choose another port, or omit --port to use any free one.`));
      else reject(new AuthError(`Cannot listen on 127.0.0.1 for the login redirect: ${error.message}`));
    });
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const {port} = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    redirectUri: `http://127.0.0.1:${port}/`,
    redirect,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        if (held) answer(held, false, 'The login was interrupted.');
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
