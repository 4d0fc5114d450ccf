import {createPrivateKey, sign} from 'node:crypto';
import {CompactSign} from 'jose';
import type {ApiCall} from './api.js';
import {API_MESSAGES, ApiFailure, badRequest} from './google-errors.js';
import {principalsOf} from './authn.js';
import {permissionsHeld} from './policy.js';
import type {IamPolicy, ServiceAccountRecord} from './records.js';

const GET_ACCESS_TOKEN = 'iam.serviceAccounts.getAccessToken';
const GET_OPENID_TOKEN = 'iam.serviceAccounts.getOpenIdToken';
const SIGN_JWT = 'iam.serviceAccounts.signJwt';
const SIGN_BLOB = 'iam.serviceAccounts.signBlob';
const DEFAULT_LIFETIME_S = 3600;
/** Google allows up to 12 h where the org policy constraint `iam.allowServiceAccountCredentialLifetimeExtension` permits. */
const MAX_LIFETIME_S = 43200;
const DELEGATE = /^projects\/-\/serviceAccounts\/([^/]+)$/;

const invalid = (message: string, field: string) => new ApiFailure(400, message, {details: [badRequest(field, message)]});

/** google-auth parses expireTime with `%Y-%m-%dT%H:%M:%SZ`: whole seconds, no fraction. */
function rfc3339Seconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface Hop {
  account: ServiceAccountRecord | undefined;
  resource: string;
  policies: Array<IamPolicy | undefined>;
}

function hop(call: ApiCall, emailOrId: string, project = '-'): Hop {
  const account = call.state.findServiceAccount(emailOrId);
  const home = account ? call.state.findProject(account.projectId) : undefined;
  const wrongProject = home !== undefined && project !== '-' && project !== home.projectId && project !== home.projectNumber;
  return {
    account: home && !wrongProject ? account : undefined,
    resource: `projects/${project}/serviceAccounts/${emailOrId}`,
    policies: home ? [home.iamPolicy, account?.iamPolicy] : [],
  };
}

/**
 * The target of an IAM Credentials call once the delegation chain is shown to hold: the caller holds
 * `permission` on the first delegate (or the target), and each delegate on the next. A hop that does not
 * exist answers the same 403 as one that is not allowed, as Google does. Throws ApiFailure.
 */
function authorizedTarget(call: ApiCall, permission: string): ServiceAccountRecord {
  const raw = call.body.delegates;
  if (raw !== undefined && raw !== null && !Array.isArray(raw)) throw invalid(API_MESSAGES.delegate(raw), 'delegates');
  const delegates = (raw ?? []).map((d: unknown) => {
    const email = typeof d === 'string' ? DELEGATE.exec(d)?.[1] : undefined;
    if (email === undefined) throw invalid(API_MESSAGES.delegate(d), 'delegates');
    return hop(call, email);
  });
  const chain = [...delegates, hop(call, call.params.account ?? '', call.params.project)];

  const first = chain[0]!;
  if (!first.account) throw call.denied(permission, first.resource);
  call.require(permission, first.resource, first.policies);
  for (let i = 1; i < chain.length; i++) {
    const from = chain[i - 1]!.account!;
    const to = chain[i]!;
    const held = permissionsHeld(principalsOf({kind: 'serviceAccount', account: from}), to.policies, call.now());
    if (!to.account || !held.has(permission)) throw call.denied(permission, to.resource);
  }
  const target = chain.at(-1)!.account!;
  if (target.disabled) throw new ApiFailure(400, API_MESSAGES.preconditionFailed, {status: 'FAILED_PRECONDITION'});
  return target;
}

function lifetimeSeconds(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_LIFETIME_S;
  const match = typeof value === 'string' ? /^(\d+)(?:\.\d{1,9})?s$/.exec(value) : null;
  const seconds = match ? Number(match[1]) : NaN;
  if (!(seconds >= 1 && seconds <= MAX_LIFETIME_S)) throw invalid(API_MESSAGES.lifetime(value), 'lifetime');
  return seconds;
}

/** `:generateAccessToken`: an ordinary emulator token of the target account, for `scope`, living `lifetime`. */
export async function generateAccessToken(call: ApiCall): Promise<unknown> {
  const target = authorizedTarget(call, GET_ACCESS_TOKEN);
  const scope = call.body.scope;
  if (!Array.isArray(scope) || scope.length === 0 || !scope.every((s) => typeof s === 'string' && s !== '')) {
    throw invalid(API_MESSAGES.scopeRequired, 'scope');
  }
  const lifetime = lifetimeSeconds(call.body.lifetime);
  // clientId is the account's uniqueId, as for its jwt-bearer tokens, so the APIs see the account itself.
  const {token, record} = call.state.issueAccessToken(target.email, [...new Set(scope as string[])], target.uniqueId, lifetime);
  await call.state.save();
  return {accessToken: token, expireTime: rfc3339Seconds(record.expiresAt)};
}

/** `:generateIdToken`: an id token of the target for `audience`, signed by the key at `/oauth2/v3/certs`. */
export async function generateIdToken(call: ApiCall): Promise<unknown> {
  const target = authorizedTarget(call, GET_OPENID_TOKEN);
  const audience = call.body.audience;
  if (typeof audience !== 'string' || audience === '') throw invalid(API_MESSAGES.audienceRequired, 'audience');
  const claims: Record<string, unknown> = {azp: target.uniqueId};
  if (call.body.includeEmail === true) {
    claims.email = target.email;
    claims.email_verified = true;
  }
  return {token: await call.idTokens.sign(claims, audience, target.uniqueId)};
}

/** `:signJwt`: the payload as given, signed RS256 with the target's newest system-managed key. */
export async function signJwt(call: ApiCall): Promise<unknown> {
  const target = authorizedTarget(call, SIGN_JWT);
  const payload = call.body.payload;
  let claims: unknown;
  try {
    claims = typeof payload === 'string' ? JSON.parse(payload) : undefined;
  } catch {
    claims = undefined;
  }
  if (typeof payload !== 'string' || !claims || typeof claims !== 'object' || Array.isArray(claims)) throw invalid(API_MESSAGES.payload, 'payload');
  const exp = (claims as Record<string, unknown>).exp;
  if (typeof exp === 'number' && exp > call.now() / 1000 + MAX_LIFETIME_S) throw invalid(API_MESSAGES.payloadExp, 'payload');
  const signer = call.state.signingKeyOf(target.email);
  if (!signer) throw new ApiFailure(400, API_MESSAGES.noSigningKey(target.email), {status: 'FAILED_PRECONDITION'});
  const signedJwt = await new CompactSign(Buffer.from(payload, 'utf8'))
    .setProtectedHeader({alg: 'RS256', kid: signer.key.keyId, typ: 'JWT'})
    .sign(createPrivateKey(signer.privateKeyPem));
  return {keyId: signer.key.keyId, signedJwt};
}

/** `:signBlob`: RSASSA-PKCS1-v1_5 SHA-256 over the base64 `payload` bytes, with the target's newest system-managed key. */
export async function signBlob(call: ApiCall): Promise<unknown> {
  const target = authorizedTarget(call, SIGN_BLOB);
  const payload = call.body.payload;
  if (typeof payload !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload)) throw invalid(API_MESSAGES.blobPayload, 'payload');
  const signer = call.state.signingKeyOf(target.email);
  if (!signer) throw new ApiFailure(400, API_MESSAGES.noSigningKey(target.email), {status: 'FAILED_PRECONDITION'});
  const signature = sign('sha256', Buffer.from(payload, 'base64'), createPrivateKey(signer.privateKeyPem));
  return {keyId: signer.key.keyId, signedBlob: signature.toString('base64')};
}
