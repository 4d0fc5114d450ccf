/**
 * The emulator's one answer to "who is this credential, with which scopes". Every route that acts for a caller asks
 * here: the JSON APIs (a bearer token), the registry front (an access token, or a service-account key, as an HTTP
 * Basic password), userinfo and tokeninfo. So a token one route refuses is refused by all, for the same reason.
 *
 * A new kind of credential is one more case of `Credential` (how it arrives) and, when it stands for a new kind of
 * caller, one more case of `Subject` and of `principalsOf`, as Workload Identity Federation's principals are: the STS's
 * access tokens arrive as any other access token and stand for a `federated` subject.
 */
import {createPrivateKey, createPublicKey, type KeyObject} from 'node:crypto';
import {federatedMembers, principalMember} from './federation.js';
import type {AccessTokenRecord, FederatedTokenRecord, ServiceAccountRecord, UserRecord} from './records.js';
import type {EmulatorState} from './state.js';

/** A credential as a request presents it. */
export type Credential =
  /** An access token the emulator issued (token endpoint, metadata server, IAM Credentials). */
  | {kind: 'access-token'; token: string}
  /** The text of a service-account JSON key file: the registry front's `_json_key` password. */
  | {kind: 'key-file'; json: string};

/** Whom a credential stands for. */
export type Subject =
  | {kind: 'serviceAccount'; account: ServiceAccountRecord}
  | {kind: 'user'; user: UserRecord}
  /** A workload identity pool's principal, as the STS mapped it (its pool, subject, groups and attributes). */
  | {kind: 'federated'; token: FederatedTokenRecord};

/** An authenticated caller. */
export interface Identity {
  subject: Subject;
  /** The account's email (a federated principal's `principal://` name): a registry token's `sub`, what error messages name. */
  email: string;
  /** The policy members that name the caller, and `allUsers` and `allAuthenticatedUsers`, which name every caller. */
  principals: ReadonlySet<string>;
  /** An access token's OAuth scopes; undefined for a key, which no scope limits. */
  scopes?: readonly string[];
  /** When an access token stops working, in ms since the epoch; undefined for a key. */
  expiresAt?: number;
}

/** Why a credential is refused. Routes word each in their own API's terms. */
export type RefusalReason =
  /** No credential was presented. */
  | 'missing'
  /** An access token that is unknown, expired or revoked. */
  | 'invalid-token'
  /** An access token of an account (or a federated principal's pool) since disabled. */
  | 'account-disabled'
  /** An access token of an account since deleted (and perhaps re-created under the same email), of no known user, or of a deleted pool. */
  | 'account-gone'
  /** A key file that is not JSON, lacks `client_email` or `private_key`, or whose private key does not parse. */
  | 'bad-key-file'
  /** A key file of an account that does not exist or is disabled; `detail` is its email. */
  | 'key-account'
  /** A key file naming no enabled, valid key of its account; `detail` is the key id, or `(any)`. */
  | 'key-unknown'
  /** A key file whose private key is no half of the key it names; `detail` as for key-unknown. */
  | 'key-mismatch';

export type Authentication = {ok: true; identity: Identity} | {ok: false; reason: RefusalReason; detail?: string};

/** Members that name every authenticated caller. */
const AUTHENTICATED = ['allUsers', 'allAuthenticatedUsers'] as const;
/** Whom a request without credentials is: `allUsers` names it, `allAuthenticatedUsers` does not. */
export const ANONYMOUS_PRINCIPALS: ReadonlySet<string> = new Set(['allUsers']);

/**
 * The policy members that name `subject` once authenticated (an account's own member, a user's domain, the public ones;
 * a federated principal's `principal://` and `principalSet://` members, and `allUsers` only).
 */
export function principalsOf(subject: Subject): ReadonlySet<string> {
  switch (subject.kind) {
    case 'serviceAccount':
      return new Set([`serviceAccount:${subject.account.email}`, ...AUTHENTICATED]);
    case 'user': {
      const {email} = subject.user;
      return new Set([`user:${email}`, `domain:${email.slice(email.indexOf('@') + 1)}`, ...AUTHENTICATED]);
    }
    case 'federated':
      return federatedMembers(subject.token);
  }
}

/** Whether a caller's scopes include one of `accepted`; a key, which no scope limits, includes them all. */
export function hasAnyScope(identity: Pick<Identity, 'scopes'>, accepted: Iterable<string>): boolean {
  if (identity.scopes === undefined) return true;
  const held = new Set(identity.scopes);
  for (const scope of accepted) if (held.has(scope)) return true;
  return false;
}

const refuse = (reason: RefusalReason, detail?: string): Authentication => (detail === undefined ? {ok: false, reason} : {ok: false, reason, detail});

function spkiOf(key: KeyObject): Buffer {
  return (key.type === 'public' ? key : createPublicKey(key)).export({type: 'spki', format: 'der'});
}

/** Turns credentials into callers, against the live state. */
export class Authenticator {
  constructor(private readonly state: EmulatorState) {}

  /** Who `credential` is; a refusal with its reason when it stands for no one. Never throws. */
  authenticate(credential: Credential | undefined): Authentication {
    if (credential === undefined) return refuse('missing');
    switch (credential.kind) {
      case 'access-token':
        return this.fromAccessToken(credential.token);
      case 'key-file':
        return this.fromKeyFile(credential.json);
    }
  }

  /**
   * A live access token's record and the `sub` Google shows for it (its user's or account's uniqueId), whether or
   * not its account still stands: tokeninfo and userinfo describe a token rather than act for it.
   */
  describe(token: string): {record: AccessTokenRecord; sub: string} | undefined {
    const record = this.state.accessToken(token);
    if (!record) return undefined;
    const sub = this.state.user(record.email)?.uniqueId ?? this.state.serviceAccount(record.email)?.uniqueId ?? record.clientId;
    return {record, sub};
  }

  /**
   * An access token stands for its account while the account stands: a disabled account, or one deleted (and
   * perhaps re-created under the same email, which gives it a new uniqueId) since, has no live tokens.
   */
  private fromAccessToken(token: string): Authentication {
    const record = this.state.accessToken(token);
    if (!record) return this.fromFederatedToken(token);
    const subject = this.subjectOf(record);
    if ('reason' in subject) return refuse(subject.reason);
    return {ok: true, identity: {subject, email: record.email, principals: principalsOf(subject), scopes: record.scopes, expiresAt: record.expiresAt}};
  }

  /**
   * An STS token stands for its principal while the pool stands and is enabled (Google: a disabled pool's tokens stop
   * granting access, and grant again once it is enabled). Its provider may since be disabled or deleted: tokens it
   * issued live on, as measured at Google.
   */
  private fromFederatedToken(token: string): Authentication {
    const record = this.state.federatedToken(token);
    if (!record) return refuse('invalid-token');
    const pool = this.state.workloadIdentityPool(record.pool);
    if (!pool || pool.state !== 'ACTIVE') return refuse('account-gone');
    if (pool.disabled) return refuse('account-disabled');
    const subject: Subject = {kind: 'federated', token: record};
    const email = principalMember(record.pool, record.subject);
    return {ok: true, identity: {subject, email, principals: principalsOf(subject), scopes: record.scopes, expiresAt: record.expiresAt}};
  }

  /** Whom a token record stands for. A service account's tokens carry its uniqueId as their client id. */
  private subjectOf(record: AccessTokenRecord): Subject | {reason: RefusalReason} {
    const account = this.state.serviceAccount(record.email);
    if (account) {
      if (account.uniqueId !== record.clientId) return {reason: 'account-gone'};
      return account.disabled ? {reason: 'account-disabled'} : {kind: 'serviceAccount', account};
    }
    const user = this.state.user(record.email);
    return user ? {kind: 'user', user} : {reason: 'account-gone'};
  }

  /**
   * A key file is good when its account exists and is enabled, and its private key is the private half of an
   * enabled, valid key of that account (`private_key_id` names which; without it any key may match).
   */
  private fromKeyFile(json: string): Authentication {
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch {
      return refuse('bad-key-file');
    }
    const file = parsed as Record<string, unknown> | null;
    if (!file || typeof file !== 'object' || typeof file.client_email !== 'string' || typeof file.private_key !== 'string') return refuse('bad-key-file');
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(file.private_key);
    } catch {
      return refuse('bad-key-file');
    }
    const account = this.state.serviceAccount(file.client_email);
    if (!account || account.disabled) return refuse('key-account', file.client_email);
    const keyId = typeof file.private_key_id === 'string' ? file.private_key_id : undefined;
    const live = this.state.validKeys(account, keyId);
    if (live.length === 0) return refuse('key-unknown', keyId ?? '(any)');
    const presented = spkiOf(privateKey);
    if (!live.some((k) => spkiOf(createPublicKey(k.publicKeyPem)).equals(presented))) return refuse('key-mismatch', keyId ?? '(any)');
    const subject: Subject = {kind: 'serviceAccount', account};
    return {ok: true, identity: {subject, email: account.email, principals: principalsOf(subject)}};
  }
}
