/**
 * A loopback stand-in for Google's STS (`/sts/v1/token`, `/sts/v1/introspect`), IAM Credentials' generateAccessToken
 * and generateIdToken for one service account, and the sources of external accounts (a CI token URL, AWS metadata
 * URLs), recording every request. Temporary: the external account tests move to the emulator's STS once it has one.
 */
import {createServer, type IncomingMessage, type ServerResponse} from 'node:http';
import type {AddressInfo} from 'node:net';

export const STAND_IN = {
  sa: 'ci@demo-project.iam.gserviceaccount.com',
  audience: '//iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/gh-pool/providers/gh-prov',
  principal: 'principal://iam.googleapis.com/projects/123456/locations/global/workloadIdentityPools/gh-pool/subject/repo:o/r',
  // Opaque on purpose: redaction must not depend on a token looking like a JWT.
  subject: 'subject-opaque-4f1c2d',
  ciSecret: 'ci-bearer-secret-77aa',
  awsSecret: 'aws-secret-key-9b9b9b9b',
} as const;

export interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface StsStandIn {
  url: string;
  seen: Seen[];
  /** A subject token the STS refuses with invalid_grant. */
  refuse?: string;
  denyImpersonation: boolean;
  /** Tokens issued so far (STS and IAM Credentials count together: sts.1, ya29.imp.2, ...). */
  issued: number;
  reset(): void;
  stop(): Promise<void>;
}

const send = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
  res.writeHead(status, {'content-type': type});
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
};

/** Starts the stand-in on 127.0.0.1:0. */
export async function startStsStandIn(): Promise<StsStandIn> {
  const {sa, principal, subject: _subject, ciSecret, awsSecret} = STAND_IN;
  const state = {seen: [] as Seen[], refuse: undefined as string | undefined, denyImpersonation: false, issued: 0};
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const at = new URL(req.url!, 'http://x');
      stand.seen.push({method: req.method!, path: at.pathname, headers: req.headers, body});
      const form = new URLSearchParams(body);
      switch (at.pathname) {
        case '/sts/v1/token':
          if (stand.refuse !== undefined && form.get('subject_token') === stand.refuse) {
            return send(res, 400, {error: 'invalid_grant', error_description: 'The audience in ID Token [x] does not match the expected audience.'});
          }
          return send(res, 200, {access_token: `sts.${++stand.issued}`, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: 3600});
        case '/sts/v1/introspect':
          return send(res, 200, {active: true, username: principal, exp: Math.floor(Date.now() / 1000) + 3600});
        case `/iamcredentials/v1/projects/-/serviceAccounts/${sa}:generateAccessToken`: {
          if (stand.denyImpersonation) {
            return send(res, 403, {error: {code: 403, message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).", status: 'PERMISSION_DENIED'}});
          }
          const lifetime = Number.parseInt(JSON.parse(body).lifetime, 10);
          return send(res, 200, {accessToken: `ya29.imp.${++stand.issued}`, expireTime: new Date(Date.now() + lifetime * 1000).toISOString()});
        }
        case `/iamcredentials/v1/projects/-/serviceAccounts/${sa}:generateIdToken`: {
          const claims = {aud: JSON.parse(body).audience, email: sa, exp: Math.floor(Date.now() / 1000) + 3600};
          return send(res, 200, {token: `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`});
        }
        case '/source/json':
          return req.headers.authorization === `Bearer ${ciSecret}` ? send(res, 200, {value: STAND_IN.subject}) : send(res, 401, {message: 'bad bearer'});
        case '/source/500':
          return send(res, 500, {message: 'down'});
        case '/source/html':
          return send(res, 200, '<html><body>Sign in</body></html>', 'text/html');
        case '/source/nofield':
          return send(res, 200, {other: 1});
        case '/aws/latest/api/token':
          return send(res, 200, 'imds-session-token-1', 'text/plain');
        case '/aws/latest/meta-data/placement/availability-zone':
          return send(res, 200, 'eu-west-3b', 'text/plain');
        case '/aws/latest/meta-data/iam/security-credentials':
          return send(res, 200, 'ci-role', 'text/plain');
        case '/aws/latest/meta-data/iam/security-credentials/ci-role':
          return send(res, 200, {Code: 'Success', AccessKeyId: 'AKIAEXAMPLE0000000001', SecretAccessKey: awsSecret, Token: 'aws-session-token-1'});
        default:
          return send(res, 404, {error: 'not found'});
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stand: StsStandIn = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    ...state,
    reset() {
      stand.seen = [];
      stand.refuse = undefined;
      stand.denyImpersonation = false;
      stand.issued = 0;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return stand;
}
