import {createHash, X509Certificate} from 'node:crypto';

import type {ApiCall} from './api.js';
import {authorizedProject} from './crm.js';
import {API_MESSAGES, ApiFailure, badRequest, resourceInfo} from './google-errors.js';
import {buildKeyFile, serializeKeyFile} from './keys.js';
import {applySetIamPolicy, readPermissions, renderPolicy, requestedVersion} from './policy.js';
import type {IamPolicy, ServiceAccountKeyRecord, ServiceAccountRecord} from './records.js';
import {keyTime, serviceAccountEmail} from './state.js';
import {CONSTRAINTS, constraintViolation} from './orgpolicy.js';

/** Google's constant etag on every service account (it is not a concurrency token there). */
const ACCOUNT_ETAG = 'MDEwMjE5MjA=';
const ACCOUNT_ID = /^[a-z](?:[-a-z0-9]*[a-z0-9])$/;
const MAX_DISPLAY_NAME_BYTES = 100;
const MAX_DESCRIPTION_BYTES = 256;
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
/** Google allows ten user-managed keys per account. */
const MAX_USER_KEYS = 10;
const KEY_TYPES: ReadonlySet<string> = new Set(['USER_MANAGED', 'SYSTEM_MANAGED']);
const PATCHABLE: Readonly<Record<string, 'displayName' | 'description'>> = {
  displayName: 'displayName',
  display_name: 'displayName',
  description: 'description',
};

const invalid = (message: string, field?: string) =>
  new ApiFailure(400, message, field === undefined ? {} : {details: [badRequest(field, message)]});

/** A service account as Google renders it: fields in Google's order, empty and false ones omitted. */
function renderAccount(a: ServiceAccountRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: `projects/${a.projectId}/serviceAccounts/${a.email}`,
    projectId: a.projectId,
    uniqueId: a.uniqueId,
    email: a.email,
  };
  if (a.displayName) out.displayName = a.displayName;
  out.etag = ACCOUNT_ETAG;
  if (a.description) out.description = a.description;
  out.oauth2ClientId = a.uniqueId;
  if (a.disabled) out.disabled = true;
  return out;
}

function renderKey(a: ServiceAccountRecord, k: ServiceAccountKeyRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: `projects/${a.projectId}/serviceAccounts/${a.email}/keys/${k.keyId}`,
    validAfterTime: k.validAfterTime,
    validBeforeTime: k.validBeforeTime,
    keyAlgorithm: k.keyAlgorithm,
    keyOrigin: k.keyOrigin,
    keyType: k.keyType,
  };
  if (k.disabled) Object.assign(out, {disabled: true, disableReason: 'SERVICE_ACCOUNT_KEY_DISABLE_REASON_USER_INITIATED'});
  return out;
}

/**
 * The account named by `projects/{project}/serviceAccounts/{account}` (email or uniqueId; project `-` or the
 * account's own) with the policies that decide access to it: its project's and its own. An account that does
 * not exist answers the same 403 for `permission` as one the caller may not see, as Google does.
 */
function accountAt(call: ApiCall, permission: string): {account: ServiceAccountRecord; resource: string; policies: IamPolicy[]} {
  const {project, account} = call.params;
  const resource = `projects/${project}/serviceAccounts/${account}`;
  const found = call.state.findServiceAccount(account ?? '');
  const home = found ? call.state.findProject(found.projectId) : undefined;
  if (!found || !home || (project !== '-' && project !== home.projectId && project !== home.projectNumber)) {
    throw call.denied(permission, resource);
  }
  return {account: found, resource, policies: [home.iamPolicy, found.iamPolicy]};
}

/** The account named by the path, once the caller is shown to hold `permission` on it. */
function authorizedAccount(call: ApiCall, permission: string): ServiceAccountRecord {
  const {account, resource, policies} = accountAt(call, permission);
  call.require(permission, resource, policies);
  return account;
}

function authorizedKey(call: ApiCall, permission: string): {account: ServiceAccountRecord; key: ServiceAccountKeyRecord} {
  const account = authorizedAccount(call, permission);
  const keyId = call.params.key ?? '';
  const key = Object.hasOwn(account.keys, keyId) ? account.keys[keyId] : undefined;
  if (!key) throw new ApiFailure(404, API_MESSAGES.keyNotFound(`projects/${account.projectId}/serviceAccounts/${account.email}/keys/${keyId}`));
  return {account, key};
}

function optionalText(raw: unknown, field: string, max: number): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') throw invalid(API_MESSAGES.tooLong(field, max), field);
  if (Buffer.byteLength(raw, 'utf8') > max) throw invalid(API_MESSAGES.tooLong(field, max), field);
  return raw;
}

function record(raw: unknown): Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

/** `POST v1/projects/{project}/serviceAccounts`: body `{accountId, serviceAccount: {displayName, description}}`. */
export async function createServiceAccount(call: ApiCall): Promise<unknown> {
  const project = authorizedProject(call, 'iam.serviceAccounts.create');
  const accountId = call.body.accountId;
  if (typeof accountId !== 'string' || accountId.length < 6 || accountId.length > 30 || !ACCOUNT_ID.test(accountId)) {
    throw invalid(API_MESSAGES.accountId(String(accountId ?? '')), 'account_id');
  }
  const fields = record(call.body.serviceAccount);
  const displayName = optionalText(fields.displayName, 'display_name', MAX_DISPLAY_NAME_BYTES);
  const description = optionalText(fields.description, 'description', MAX_DESCRIPTION_BYTES);
  const email = serviceAccountEmail(accountId, project.projectId);
  if (call.state.serviceAccount(email)) {
    throw new ApiFailure(409, API_MESSAGES.accountExists(accountId, project.projectId), {
      status: 'ALREADY_EXISTS',
      details: [resourceInfo(`projects/${project.projectId}/serviceAccounts/${email}`)],
    });
  }
  const account = call.state.createServiceAccount(project.projectId, accountId, {displayName, description});
  await call.state.addSystemManagedKey(email);
  await call.state.save();
  return renderAccount(account);
}

function pageSize(raw: string | null): number {
  if (raw === null || raw === '') return DEFAULT_PAGE_SIZE;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 0) throw invalid(API_MESSAGES.pageSize, 'page_size');
  return size === 0 ? DEFAULT_PAGE_SIZE : Math.min(size, MAX_PAGE_SIZE);
}

/** `GET v1/projects/{project}/serviceAccounts?pageSize&pageToken`: 20 per page by default, at most 100. */
export function listServiceAccounts(call: ApiCall): unknown {
  const project = authorizedProject(call, 'iam.serviceAccounts.list');
  const size = pageSize(call.query.get('pageSize'));
  const all = call.state.serviceAccountsOf(project.projectId);
  const token = call.query.get('pageToken');
  // The token is the last email of the previous page, so accounts created meanwhile shift nothing.
  const after = token ? Buffer.from(token, 'base64url').toString('utf8') : undefined;
  if (token && !after?.includes('@')) throw invalid(API_MESSAGES.pageToken, 'page_token');
  const rest = after === undefined ? all : all.filter((a) => a.email > after);
  const page = rest.slice(0, size);
  const out: Record<string, unknown> = {};
  if (page.length > 0) out.accounts = page.map(renderAccount);
  const last = page.at(-1);
  if (rest.length > size && last) out.nextPageToken = Buffer.from(last.email).toString('base64url');
  return out;
}

/** `GET v1/projects/{project}/serviceAccounts/{account}`. */
export function getServiceAccount(call: ApiCall): unknown {
  return renderAccount(authorizedAccount(call, 'iam.serviceAccounts.get'));
}

/** `PATCH v1/projects/{project}/serviceAccounts/{account}`: body `{serviceAccount, updateMask}`; displayName and description only. */
export async function patchServiceAccount(call: ApiCall): Promise<unknown> {
  const account = authorizedAccount(call, 'iam.serviceAccounts.update');
  const mask = typeof call.body.updateMask === 'string' ? call.body.updateMask.split(',').map((p) => p.trim()) : [''];
  const fields = record(call.body.serviceAccount);
  const changes: Partial<Record<'displayName' | 'description', string>> = {};
  for (const path of mask) {
    const field = Object.hasOwn(PATCHABLE, path) ? PATCHABLE[path] : undefined;
    if (!field) throw invalid(API_MESSAGES.updateMask(path), 'update_mask');
    const max = field === 'displayName' ? MAX_DISPLAY_NAME_BYTES : MAX_DESCRIPTION_BYTES;
    changes[field] = optionalText(fields[field], field, max) ?? '';
  }
  Object.assign(account, changes);
  await call.state.save();
  return renderAccount(account);
}

/** `DELETE v1/projects/{project}/serviceAccounts/{account}`: answers `{}`; grants to it become `deleted:` members. */
export async function deleteServiceAccount(call: ApiCall): Promise<unknown> {
  const account = authorizedAccount(call, 'iam.serviceAccounts.delete');
  call.state.deleteServiceAccount(account.email);
  await call.state.save();
  return {};
}

async function setDisabled(call: ApiCall, disabled: boolean): Promise<unknown> {
  const account = authorizedAccount(call, disabled ? 'iam.serviceAccounts.disable' : 'iam.serviceAccounts.enable');
  call.state.setServiceAccountDisabled(account.email, disabled);
  await call.state.save();
  return {};
}

/** `POST v1/projects/{project}/serviceAccounts/{account}:disable`: its tokens stop working and it can get no more. */
export function disableServiceAccount(call: ApiCall): Promise<unknown> {
  return setDisabled(call, true);
}

/** `POST v1/projects/{project}/serviceAccounts/{account}:enable`. */
export function enableServiceAccount(call: ApiCall): Promise<unknown> {
  return setDisabled(call, false);
}

/** `POST v1/projects/{project}/serviceAccounts/{account}:getIamPolicy`, version in the query (`options.requestedPolicyVersion`) or body. */
export function getAccountIamPolicy(call: ApiCall): unknown {
  const version = requestedVersion(call.body, call.query);
  return renderPolicy(authorizedAccount(call, 'iam.serviceAccounts.getIamPolicy').iamPolicy, version);
}

/** `POST v1/projects/{project}/serviceAccounts/{account}:setIamPolicy`: body `{policy, updateMask?}`. */
export async function setAccountIamPolicy(call: ApiCall): Promise<unknown> {
  const account = authorizedAccount(call, 'iam.serviceAccounts.setIamPolicy');
  account.iamPolicy = applySetIamPolicy(account.iamPolicy, call.body, {resource: 'serviceAccount', accountExists: (email) => call.state.accountExists(email)});
  await call.state.save();
  return renderPolicy(account.iamPolicy, 3);
}

/** `POST v1/projects/{project}/serviceAccounts/{account}:testIamPermissions`: the subset the caller holds; no permission needed. */
export function testAccountIamPermissions(call: ApiCall): unknown {
  const permissions = readPermissions(call.body);
  const {policies} = accountAt(call, 'iam.serviceAccounts.get');
  const held = permissions.filter((p) => call.holds(p, policies));
  return held.length > 0 ? {permissions: held} : {};
}

/** The account a new key is for, once the caller may create its keys and its project's policy allows `constraint`'s kind of key. */
function accountForNewKey(call: ApiCall, constraint: string): ServiceAccountRecord {
  const account = authorizedAccount(call, 'iam.serviceAccountKeys.create');
  if (call.state.constraintEnforced(account.projectId, constraint)) throw constraintViolation(constraint, account);
  return account;
}

/** Google's 400 FAILED_PRECONDITION when the account has its ten user-managed keys already. */
function requireRoomForUserKey(account: ServiceAccountRecord): void {
  if (Object.values(account.keys).filter((k) => k.keyType === 'USER_MANAGED').length >= MAX_USER_KEYS) {
    throw new ApiFailure(400, API_MESSAGES.preconditionFailed, {status: 'FAILED_PRECONDITION'});
  }
}

/**
 * `POST .../serviceAccounts/{account}/keys`: body `{privateKeyType, keyAlgorithm}`. A fresh RSA-2048 key;
 * `privateKeyData` is the base64 of a Google JSON key file whose `token_uri` is this emulator's `/token`.
 * PKCS#12 is refused. At most ten user-managed keys per account, as at Google.
 */
export async function createKey(call: ApiCall): Promise<unknown> {
  const account = accountForNewKey(call, CONSTRAINTS.keyCreation);
  const type = call.body.privateKeyType ?? 'TYPE_GOOGLE_CREDENTIALS_FILE';
  if (type !== 'TYPE_GOOGLE_CREDENTIALS_FILE' && type !== 'TYPE_UNSPECIFIED') throw invalid(API_MESSAGES.keyType('Private', String(type)), 'private_key_type');
  const algorithm = call.body.keyAlgorithm ?? 'KEY_ALG_RSA_2048';
  if (algorithm !== 'KEY_ALG_RSA_2048' && algorithm !== 'KEY_ALG_UNSPECIFIED') throw invalid(API_MESSAGES.keyAlgorithm(String(algorithm)), 'key_algorithm');
  requireRoomForUserKey(account);
  const {key, privateKeyPem} = await call.state.addServiceAccountKey(account.email);
  await call.state.save();
  const file = buildKeyFile({
    projectId: account.projectId,
    keyId: key.keyId,
    privateKeyPem,
    email: account.email,
    clientId: account.uniqueId,
    tokenUri: `${call.url()}/token`,
  });
  const {name, ...rest} = renderKey(account, key);
  return {name, privateKeyType: 'TYPE_GOOGLE_CREDENTIALS_FILE', privateKeyData: Buffer.from(serializeKeyFile(file)).toString('base64'), ...rest};
}

/**
 * `POST .../serviceAccounts/{account}/keys:upload`: body `{publicKeyData}`, the base64 of a PEM X.509 certificate
 * wrapping an RSA-2048 public key. The key is user-managed, `USER_PROVIDED`, valid over the certificate's window; its
 * id is the certificate's SHA-1 fingerprint (40 hex characters, Google's shape), so the same certificate cannot be
 * uploaded twice. The token endpoint then takes assertions signed by the private half the user kept.
 */
export async function uploadKey(call: ApiCall): Promise<unknown> {
  const account = accountForNewKey(call, CONSTRAINTS.keyUpload);
  const certificate = uploadedCertificate(call.body.publicKeyData);
  const validBefore = Date.parse(certificate.validTo);
  if (validBefore <= call.now()) throw invalid(API_MESSAGES.certificateExpired(keyTime(validBefore)), 'public_key_data');
  requireRoomForUserKey(account);
  const keyId = createHash('sha1').update(certificate.raw).digest('hex');
  if (Object.hasOwn(account.keys, keyId)) {
    throw new ApiFailure(409, API_MESSAGES.keyExists, {status: 'ALREADY_EXISTS', details: [resourceInfo(`projects/${account.projectId}/serviceAccounts/${account.email}/keys/${keyId}`)]});
  }
  const key = call.state.addUploadedKey(account.email, {
    keyId,
    publicKeyPem: certificate.publicKey.export({type: 'spki', format: 'pem'}).toString(),
    validAfterTime: keyTime(Date.parse(certificate.validFrom)),
    validBeforeTime: keyTime(validBefore),
  });
  await call.state.save();
  return renderKey(account, key);
}

/** The certificate a `publicKeyData` field holds, or Google's 400 naming the field. */
function uploadedCertificate(raw: unknown): X509Certificate {
  if (typeof raw !== 'string' || raw === '') throw invalid(API_MESSAGES.publicKeyDataMissing, 'public_key_data');
  const pem = Buffer.from(raw, 'base64').toString('utf8');
  let certificate: X509Certificate;
  try {
    if (!/-----BEGIN CERTIFICATE-----/.test(pem)) throw new Error('no PEM certificate');
    certificate = new X509Certificate(pem);
  } catch {
    throw invalid(API_MESSAGES.publicKeyData, 'public_key_data');
  }
  const {publicKey} = certificate;
  if (publicKey.asymmetricKeyType !== 'rsa' || publicKey.asymmetricKeyDetails?.modulusLength !== 2048) {
    throw invalid(API_MESSAGES.publicKeyAlgorithm, 'public_key_data');
  }
  return certificate;
}

/** `GET .../serviceAccounts/{account}/keys?keyTypes=USER_MANAGED&keyTypes=SYSTEM_MANAGED` (repeatable; none means all). */
export function listKeys(call: ApiCall): unknown {
  const account = authorizedAccount(call, 'iam.serviceAccountKeys.list');
  const wanted = call.query.getAll('keyTypes').filter((t) => t !== 'KEY_TYPE_UNSPECIFIED');
  for (const type of wanted) if (!KEY_TYPES.has(type)) throw invalid(API_MESSAGES.keyTypesFilter(type), 'key_types');
  const keys = Object.values(account.keys).filter((k) => wanted.length === 0 || wanted.includes(k.keyType));
  return keys.length > 0 ? {keys: keys.map((k) => renderKey(account, k))} : {};
}

/** `GET .../serviceAccounts/{account}/keys/{key}`; the public key itself (`publicKeyType`) is not served. */
export function getKey(call: ApiCall): unknown {
  const publicKeyType = call.query.get('publicKeyType');
  if (publicKeyType && publicKeyType !== 'TYPE_NONE') throw invalid(API_MESSAGES.keyType('Public', publicKeyType), 'public_key_type');
  const {account, key} = authorizedKey(call, 'iam.serviceAccountKeys.get');
  return renderKey(account, key);
}

function userManagedKey(call: ApiCall, permission: string): {account: ServiceAccountRecord; key: ServiceAccountKeyRecord} {
  const found = authorizedKey(call, permission);
  if (found.key.keyType === 'SYSTEM_MANAGED') throw invalid(API_MESSAGES.systemKey);
  return found;
}

/** `DELETE .../serviceAccounts/{account}/keys/{key}`: answers `{}`; the token endpoint stops accepting the key at once. */
export async function deleteKey(call: ApiCall): Promise<unknown> {
  const {account, key} = userManagedKey(call, 'iam.serviceAccountKeys.delete');
  call.state.deleteServiceAccountKey(account.email, key.keyId);
  await call.state.save();
  return {};
}

async function setKeyDisabled(call: ApiCall, disabled: boolean): Promise<unknown> {
  const {account, key} = userManagedKey(call, disabled ? 'iam.serviceAccountKeys.disable' : 'iam.serviceAccountKeys.enable');
  call.state.setServiceAccountKeyDisabled(account.email, key.keyId, disabled);
  await call.state.save();
  return {};
}

/** `POST .../keys/{key}:disable`: the token endpoint refuses assertions signed by it until it is enabled. */
export function disableKey(call: ApiCall): Promise<unknown> {
  return setKeyDisabled(call, true);
}

/** `POST .../keys/{key}:enable`. */
export function enableKey(call: ApiCall): Promise<unknown> {
  return setKeyDisabled(call, false);
}
