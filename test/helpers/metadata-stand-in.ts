/**
 * A tiny stand-in for Google's metadata server on 127.0.0.1:0, for the client's tests until the emulator's own
 * metadata server lands: the endpoints gcauth reads, `Metadata-Flavor: Google` enforced both ways (a request
 * without it gets 403, as Google answers), a request log, and the bad servers a VM may meet.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';

export type StandInMode = 'ok' | 'html' | 'hang' | 'token-404' | 'token-not-json' | 'token-503-once' | 'token-hang';

export interface StandInOptions {
  email?: string;
  scopes?: string[];
  project?: string;
  mode?: StandInMode;
  /** Delay before each token answer, so concurrent callers overlap. */
  tokenDelayMs?: number;
  /** The access token to hand out (e.g. one the emulator issued, so its APIs accept it); default a fake ya29.vm-N-SCOPES. */
  accessToken?: () => Promise<string>;
  /** No service account attached: every service-accounts path answers 404. */
  noServiceAccount?: boolean;
}

export interface MetadataStandIn {
  /** host:port, what GCE_METADATA_HOST takes. */
  host: string;
  /** Every request's path and query, in order. */
  requests: string[];
  /** Token requests only. */
  tokenRequests(): string[];
  options: StandInOptions;
  stop(): Promise<void>;
}

export const VM_EMAIL = 'vm-sa@demo-project.iam.gserviceaccount.com';

/** Base64url JSON, for a JWT whose signature nobody checks here. */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Starts the stand-in; stop() closes it (hung requests included). */
export async function startMetadataStandIn(options: StandInOptions = {}): Promise<MetadataStandIn> {
  const requests: string[] = [];
  let tokenCount = 0;
  const hung: ServerResponse[] = [];
  const send = (res: ServerResponse, status: number, body: string, type = 'text/plain') => {
    res.writeHead(status, {'Metadata-Flavor': 'Google', 'Content-Type': type});
    res.end(body);
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    requests.push(`${url.pathname}${url.search}`);
    const mode = options.mode ?? 'ok';
    if (mode === 'hang') return void hung.push(res);
    if (mode === 'html') {
      res.writeHead(200, {'Content-Type': 'text/html'});
      return void res.end('<html><body>Sign in to the hotel Wi-Fi</body></html>');
    }
    if (req.headers['metadata-flavor'] !== 'Google') return send(res, 403, 'Missing required header: Metadata-Flavor');
    const p = url.pathname.replace(/^\/computeMetadata\/v1\//, '');
    const email = options.email ?? VM_EMAIL;
    if (p === 'project/project-id') return send(res, 200, options.project ?? 'demo-project');
    if (p.startsWith('instance/service-accounts/') && options.noServiceAccount) return send(res, 404, 'Not Found');
    if (p === 'instance/service-accounts/default/email') return send(res, 200, email);
    if (p === 'instance/service-accounts/default/scopes') {
      return send(res, 200, `${(options.scopes ?? ['https://www.googleapis.com/auth/cloud-platform']).join('\n')}\n`);
    }
    if (p === 'instance/service-accounts/default/token') {
      tokenCount++;
      if (mode === 'token-hang') return void hung.push(res);
      if (mode === 'token-404') return send(res, 404, 'Not Found');
      if (mode === 'token-not-json') return send(res, 200, '<html>oops</html>', 'text/html');
      if (mode === 'token-503-once' && tokenCount === 1) return send(res, 503, 'try again');
      const answer = async () =>
        send(
          res,
          200,
          JSON.stringify({
            access_token: options.accessToken ? await options.accessToken() : `ya29.vm-${tokenCount}-${url.searchParams.get('scopes') ?? 'default'}`,
            expires_in: 3599,
            token_type: 'Bearer',
          }),
          'application/json',
        );
      return void setTimeout(answer, options.tokenDelayMs ?? 0);
    }
    if (p === 'instance/service-accounts/default/identity') {
      const audience = url.searchParams.get('audience');
      if (!audience) return send(res, 400, 'non-empty audience parameter required');
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        iss: 'https://accounts.google.com',
        aud: audience,
        sub: '1234567890',
        azp: '1234567890',
        iat: now,
        exp: now + 3600,
        ...(url.searchParams.get('format') === 'full' ? {email, email_verified: true} : {}),
      };
      return send(res, 200, `${b64({alg: 'RS256', typ: 'JWT'})}.${b64(claims)}.c2lnbmF0dXJl`);
    }
    return send(res, 404, 'Not Found');
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    tokenRequests: () => requests.filter((r) => r.includes('/token')),
    options,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of hung) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
