import {randomBytes} from 'node:crypto';
import {readFile} from 'node:fs/promises';
import {join} from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import {generateRsaKeyPair, newAccessToken, newKeyId, newNumericId, newRefreshToken} from './keys.js';
import type {
  AccessTokenRecord,
  AuthCodeRecord,
  AwsKeyRecord,
  AwsRecord,
  CiJobRecord,
  FederatedTokenRecord,
  IamPolicy,
  OAuthClientRecord,
  ProjectRecord,
  RefreshTokenRecord,
  RegistryKeyRecord,
  RepositoryRecord,
  ServiceAccountKeyRecord,
  ServiceAccountRecord,
  SigningKeyRecord,
  StateData,
  StateView,
  UserRecord,
  VmRecord,
  WorkloadIdentityPoolRecord,
  WorkloadIdentityProviderRecord,
} from './records.js';

/** Name of the one state file inside the data dir. */
export const STATE_FILE = 'state.json';
/** Bumped whenever the layout changes incompatibly; an unknown version is refused rather than misread. */
export const STATE_VERSION = 1;

/** Google's far-future `validBeforeTime` for user-managed keys that never expire. */
const NEVER = '9999-12-31T23:59:59Z';
/** How long a system-managed key stays valid; Google rotates them and lets each live about two years. */
const SYSTEM_KEY_LIFETIME_MS = 2 * 365 * 24 * 3600 * 1000;
/** Google's etag of a policy that was never written. */
const EMPTY_POLICY_ETAG = 'ACAB';

/** How long Google keeps a deleted pool or provider before purging it (its `expireTime`). */
const SOFT_DELETE_MS = 30 * 24 * 3600 * 1000;

/**
 * The services a project starts with: what the demo and the emulated clients call (IAM, Resource Manager, IAM
 * Credentials, the registries, Org Policy (which doctor reads), Service Usage itself, the STS). `emulator start --no-services` starts with none.
 */
export const DEFAULT_SERVICES: readonly string[] = [
  'artifactregistry.googleapis.com',
  'cloudresourcemanager.googleapis.com',
  'containerregistry.googleapis.com',
  'iam.googleapis.com',
  'iamcredentials.googleapis.com',
  'orgpolicy.googleapis.com',
  'serviceusage.googleapis.com',
  'sts.googleapis.com',
];

/** The user the emulator knows when started without `--user`: the consent page needs someone to choose. */
export const DEFAULT_USER = 'user@example.com';

/** Raised when state.json exists but cannot be used; the emulator must not silently start afresh over it. */
export class StateFileError extends Error {}

/** Google's etags are short base64 strings of opaque bytes; a random 8 bytes has the same shape. */
export function newEtag(): string {
  const bytes = randomBytes(8);
  bytes[0] = 0x07;
  return bytes.toString('base64');
}

/** A policy that was never written, as Google shows one. */
export function emptyPolicy(): IamPolicy {
  return {version: 1, etag: EMPTY_POLICY_ETAG, bindings: []};
}

/** Google's timestamp format for key validity: RFC 3339 in UTC without fractional seconds. */
export function keyTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The email Google gives a service account `accountId` in `projectId`. */
export function serviceAccountEmail(accountId: string, projectId: string): string {
  return `${accountId}@${projectId}.iam.gserviceaccount.com`;
}

/** The resource name of pool `poolId` in the project numbered `projectNumber` (Google names pools by number). */
export function poolName(projectNumber: string, poolId: string): string {
  return `projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}`;
}

/** The resource name of an Artifact Registry repository, with the project's id as Google answers it. */
export function repositoryName(projectId: string, location: string, repositoryId: string): string {
  return `projects/${projectId}/locations/${location}/repositories/${repositoryId}`;
}

/** `map[key]` when `key` is the map's own (never an inherited `constructor` or `__proto__`). */
function own<T>(map: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/**
 * The emulator's mutable world plus its persistence; every mutation is followed by `save()`. The data is
 * private: modules ask the queries below, so what a record means (a live token, a valid key) is decided here.
 */
export class EmulatorState {
  /** Authorization codes, by code; never persisted. */
  private readonly authCodes = new Map<string, AuthCodeRecord>();
  /** Finished long-running operations (Artifact Registry's, Service Usage's), by name, for pollers; never persisted. */
  private readonly operations = new Map<string, Record<string, unknown>>();
  private pendingWrite: Promise<void> | undefined;
  private writeChain: Promise<void> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly data: StateData,
    private readonly now: () => number,
  ) {}

  /**
   * Loads `dataDir/state.json`, or creates a fresh world (project, owner account and its key) when absent.
   * Returns the private half of a freshly minted owner key, which exists only on first start.
   * Throws StateFileError when the file is unreadable, not JSON or of an unknown version.
   */
  static async open(
    dataDir: string,
    opts: {project: string; users: string[]; now: () => number; services?: readonly string[]},
  ): Promise<{state: EmulatorState; ownerKey?: {keyId: string; privateKeyPem: string}}> {
    const file = join(dataDir, STATE_FILE);
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StateFileError(`Cannot read ${file}: ${(error as Error).message}`);
      }
    }

    if (text !== undefined) {
      let data: StateData;
      try {
        data = JSON.parse(text) as StateData;
      } catch (error) {
        throw new StateFileError(`${file} is not valid JSON: ${(error as Error).message}`);
      }
      if (data.version !== STATE_VERSION) {
        throw new StateFileError(`${file} has state version ${String(data.version)}; this emulator reads ${STATE_VERSION}`);
      }
      // Collections added by later parts may be absent from an older file of the same version.
      data.projects ??= {};
      data.serviceAccounts ??= {};
      data.users ??= {};
      data.accessTokens ??= {};
      data.refreshTokens ??= {};
      data.oauthClients ??= {};
      data.systemKeySecrets ??= {};
      data.workloadIdentityPools ??= {};
      data.federatedTokens ??= {};
      // Fields added by later parts of the same version: service-account policies and system-managed keys.
      const state = new EmulatorState(file, data, opts.now);
      // A project of an older file served every API; it keeps doing so, now as enabled services.
      for (const project of Object.values(data.projects)) project.enabledServices ??= [...DEFAULT_SERVICES];
      for (const account of Object.values(data.serviceAccounts)) {
        account.iamPolicy ??= emptyPolicy();
        // A system key without its private half (older files) cannot sign; Google rotates, so a fresh one joins it.
        if (!Object.values(account.keys).some((k) => k.keyType === 'SYSTEM_MANAGED' && Object.hasOwn(data.systemKeySecrets, k.keyId))) await state.addSystemManagedKey(account.email);
      }
      for (const email of opts.users) state.addUser(email);
      if (Object.keys(data.users).length === 0) state.addUser(DEFAULT_USER);
      return {state};
    }

    const signing = await generateRsaKeyPair();
    const nowIso = new Date(opts.now()).toISOString();
    const data: StateData = {
      version: STATE_VERSION,
      defaultProject: opts.project,
      ownerEmail: serviceAccountEmail('emulator-owner', opts.project),
      signingKey: {kid: newKeyId(), ...signing, createTime: nowIso},
      projects: {},
      serviceAccounts: {},
      users: {},
      accessTokens: {},
      refreshTokens: {},
      oauthClients: {},
      systemKeySecrets: {},
      workloadIdentityPools: {},
      federatedTokens: {},
    };
    const state = new EmulatorState(file, data, opts.now);
    state.createProject(opts.project, opts.services);
    const owner = state.createServiceAccount(opts.project, 'emulator-owner', {
      displayName: 'Emulator owner',
      description: 'Created by the gcauth emulator on first start; owns the project.',
    });
    state.addBinding(opts.project, 'roles/owner', `serviceAccount:${owner.email}`);
    await state.addSystemManagedKey(owner.email);
    const {key, privateKeyPem} = await state.addServiceAccountKey(owner.email);
    for (const email of opts.users.length > 0 ? opts.users : [DEFAULT_USER]) state.addUser(email);
    return {state, ownerKey: {keyId: key.keyId, privateKeyPem}};
  }

  /** The project made on first start: the metadata server's VM lives in it. */
  get defaultProject(): string {
    return this.data.defaultProject;
  }

  /** The account made on first start, owner of the default project; its key is `owner-key.json`. */
  get ownerEmail(): string {
    return this.data.ownerEmail;
  }

  /** The emulator's own key for id tokens, served at `/oauth2/v3/certs`. */
  get idTokenSigningKey(): Readonly<SigningKeyRecord> {
    return this.data.signingKey;
  }

  /** Creates a project with an empty version-1 policy and `services` enabled; idempotent for an existing id. */
  createProject(projectId: string, services: readonly string[] = DEFAULT_SERVICES): ProjectRecord {
    const existing = own(this.data.projects, projectId);
    if (existing) return existing;
    const project: ProjectRecord = {
      projectId,
      projectNumber: newNumericId(12),
      name: projectId,
      lifecycleState: 'ACTIVE',
      createTime: new Date(this.now()).toISOString(),
      iamPolicy: {version: 1, etag: newEtag(), bindings: []},
      enabledServices: [...services].sort(),
      enforcedConstraints: [],
    };
    this.data.projects[projectId] = project;
    return project;
  }

  /** Adds `member` to `role` on a project's policy (no-op if present) and rotates the etag. */
  addBinding(projectId: string, role: string, member: string): void {
    const project = own(this.data.projects, projectId);
    if (!project) throw new Error(`no project ${projectId}`);
    const policy = project.iamPolicy;
    const binding = policy.bindings.find((b) => b.role === role && !b.condition);
    if (binding) {
      if (!binding.members.includes(member)) binding.members.push(member);
    } else {
      policy.bindings.push({role, members: [member]});
    }
    policy.etag = newEtag();
  }

  /** Whether `service` (e.g. `iam.googleapis.com`) is enabled on a project (id or number); false for no such project. */
  serviceEnabled(project: string, service: string): boolean {
    return this.findProject(project)?.enabledServices?.includes(service) ?? false;
  }

  /** The services enabled on a project (id or number), sorted; empty for no such project. */
  enabledServices(project: string): string[] {
    return [...(this.findProject(project)?.enabledServices ?? [])];
  }

  /** Enables or disables services on an existing project (id or number); the caller saves. */
  setServicesEnabled(project: string, services: readonly string[], enabled: boolean): void {
    const record = this.findProject(project);
    if (!record) throw new Error(`no project ${project}`);
    const current = new Set(record.enabledServices ?? []);
    for (const service of services) {
      if (enabled) current.add(service);
      else current.delete(service);
    }
    record.enabledServices = [...current].sort();
  }

  /** Whether an organization-policy boolean constraint (`iam.disableServiceAccountKeyCreation`) is enforced on a project. */
  constraintEnforced(project: string, constraint: string): boolean {
    return this.findProject(project)?.enforcedConstraints?.includes(constraint) ?? false;
  }

  /** Enforces or lifts a boolean constraint on an existing project; the caller saves. */
  setConstraintEnforced(project: string, constraint: string, enforced: boolean): void {
    const record = this.findProject(project);
    if (!record) throw new Error(`no project ${project}`);
    const current = new Set(record.enforcedConstraints ?? []);
    if (enforced) current.add(constraint);
    else current.delete(constraint);
    record.enforcedConstraints = [...current].sort();
  }

  /** A project by its id only. */
  project(projectId: string): ProjectRecord | undefined {
    return own(this.data.projects, projectId);
  }

  /** Every project, in the order they were made. */
  projects(): ProjectRecord[] {
    return Object.values(this.data.projects);
  }

  /** A project by id or by number, as Google's paths accept either. */
  findProject(idOrNumber: string): ProjectRecord | undefined {
    if (Object.hasOwn(this.data.projects, idOrNumber)) return this.data.projects[idOrNumber];
    return Object.values(this.data.projects).find((p) => p.projectNumber === idOrNumber);
  }

  /** A service account by email or by uniqueId, as Google's paths accept either. */
  findServiceAccount(emailOrUniqueId: string): ServiceAccountRecord | undefined {
    if (Object.hasOwn(this.data.serviceAccounts, emailOrUniqueId)) return this.data.serviceAccounts[emailOrUniqueId];
    return Object.values(this.data.serviceAccounts).find((a) => a.uniqueId === emailOrUniqueId);
  }

  /**
   * Whether a service account exists, for an email of the form `x@PROJECT.iam.gserviceaccount.com` where
   * PROJECT is emulated; undefined for any other email (Google's own or another world's accounts).
   */
  accountExists(email: string): boolean | undefined {
    const project = /@([a-z][-a-z0-9]*)\.iam\.gserviceaccount\.com$/.exec(email)?.[1];
    if (project === undefined || !Object.hasOwn(this.data.projects, project)) return undefined;
    return Object.hasOwn(this.data.serviceAccounts, email);
  }

  /** The service accounts of a project, ordered by email so pages are stable. */
  serviceAccountsOf(projectId: string): ServiceAccountRecord[] {
    return Object.values(this.data.serviceAccounts)
      .filter((a) => a.projectId === projectId)
      .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  }

  /**
   * Creates a service account `ACCOUNT_ID@PROJECT.iam.gserviceaccount.com` with no keys and an empty policy, or
   * `ACCOUNT_ID@DOMAIN` when `domain` is given (Google makes the Compute Engine default account
   * `NUMBER-compute@developer.gserviceaccount.com`). Throws if it exists already.
   */
  createServiceAccount(
    projectId: string,
    accountId: string,
    opts: {displayName?: string; description?: string; domain?: string} = {},
  ): ServiceAccountRecord {
    const email = opts.domain === undefined ? serviceAccountEmail(accountId, projectId) : `${accountId}@${opts.domain}`;
    if (own(this.data.serviceAccounts, email)) throw new Error(`service account ${email} exists`);
    const account: ServiceAccountRecord = {
      email,
      projectId,
      uniqueId: newNumericId(21),
      displayName: opts.displayName ?? '',
      description: opts.description ?? '',
      disabled: false,
      keys: {},
      iamPolicy: emptyPolicy(),
    };
    this.data.serviceAccounts[email] = account;
    return account;
  }

  /** A service account by email. */
  serviceAccount(email: string): ServiceAccountRecord | undefined {
    return own(this.data.serviceAccounts, email);
  }

  /** Mints a user-managed RSA key; the private half is returned once and never stored, as at Google. */
  async addServiceAccountKey(email: string): Promise<{key: ServiceAccountKeyRecord; privateKeyPem: string}> {
    return this.mintKey(email, 'USER_MANAGED');
  }

  /**
   * Adds a user-managed key whose public half the user uploaded (its private half never reaches Google), valid over
   * its certificate's window. The caller has checked the certificate and that the id is new.
   */
  addUploadedKey(email: string, upload: Pick<ServiceAccountKeyRecord, 'keyId' | 'publicKeyPem' | 'validAfterTime' | 'validBeforeTime'>): ServiceAccountKeyRecord {
    const account = this.serviceAccount(email);
    if (!account) throw new Error(`no service account ${email}`);
    const key: ServiceAccountKeyRecord = {...upload, disabled: false, keyAlgorithm: 'KEY_ALG_RSA_2048', keyOrigin: 'USER_PROVIDED', keyType: 'USER_MANAGED'};
    account.keys[key.keyId] = key;
    return key;
  }

  /**
   * Gives an account the system-managed key Google keeps for every account (it signs for signBlob and
   * friends). Its private half is kept, as Google keeps it, for IAM Credentials `signJwt`; it is never served.
   */
  async addSystemManagedKey(email: string): Promise<ServiceAccountKeyRecord> {
    const {key, privateKeyPem} = await this.mintKey(email, 'SYSTEM_MANAGED');
    this.data.systemKeySecrets[key.keyId] = privateKeyPem;
    return key;
  }

  /** An account's keys that are enabled and inside their validity window now; only the key `keyId` when given. */
  validKeys(account: ServiceAccountRecord, keyId?: string): ServiceAccountKeyRecord[] {
    const now = this.now();
    const keys = keyId === undefined ? Object.values(account.keys) : [own(account.keys, keyId)];
    return keys.filter((k): k is ServiceAccountKeyRecord => k !== undefined && !k.disabled && Date.parse(k.validAfterTime) <= now && Date.parse(k.validBeforeTime) > now);
  }

  /** The newest valid, enabled system-managed key that can sign, with its private half, if any. */
  signingKeyOf(email: string): {key: ServiceAccountKeyRecord; privateKeyPem: string} | undefined {
    const account = this.serviceAccount(email);
    const key = (account ? this.validKeys(account) : [])
      .filter((k) => k.keyType === 'SYSTEM_MANAGED' && Object.hasOwn(this.data.systemKeySecrets, k.keyId))
      .sort((a, b) => Date.parse(b.validAfterTime) - Date.parse(a.validAfterTime))[0];
    const privateKeyPem = key ? this.data.systemKeySecrets[key.keyId] : undefined;
    return key && privateKeyPem ? {key, privateKeyPem} : undefined;
  }

  private async mintKey(email: string, keyType: ServiceAccountKeyRecord['keyType']): Promise<{key: ServiceAccountKeyRecord; privateKeyPem: string}> {
    const pair = await generateRsaKeyPair();
    const account = this.serviceAccount(email);
    if (!account) throw new Error(`no service account ${email}`);
    const now = this.now();
    const key: ServiceAccountKeyRecord = {
      keyId: newKeyId(),
      publicKeyPem: pair.publicKeyPem,
      disabled: false,
      validAfterTime: keyTime(now),
      validBeforeTime: keyType === 'USER_MANAGED' ? NEVER : keyTime(now + SYSTEM_KEY_LIFETIME_MS),
      keyAlgorithm: 'KEY_ALG_RSA_2048',
      keyOrigin: 'GOOGLE_PROVIDED',
      keyType,
    };
    account.keys[key.keyId] = key;
    return {key, privateKeyPem: pair.privateKeyPem};
  }

  /** Deletes a key outright (Google keeps no tombstone). Returns false if there was none. */
  deleteServiceAccountKey(email: string, keyId: string): boolean {
    const account = this.serviceAccount(email);
    if (!account || !Object.hasOwn(account.keys, keyId)) return false;
    delete account.keys[keyId];
    return true;
  }

  setServiceAccountKeyDisabled(email: string, keyId: string, disabled: boolean): boolean {
    const account = this.serviceAccount(email);
    const key = account ? own(account.keys, keyId) : undefined;
    if (!key) return false;
    key.disabled = disabled;
    return true;
  }

  /** Moves a key's `validAfterTime` (the admin route that ages keys for tests); false when no account has the key. */
  setServiceAccountKeyValidAfterTime(keyId: string, validAfterTime: string): boolean {
    const key = Object.values(this.data.serviceAccounts)
      .map((a) => own(a.keys, keyId))
      .find(Boolean);
    if (!key) return false;
    key.validAfterTime = validAfterTime;
    return true;
  }

  setServiceAccountDisabled(email: string, disabled: boolean): boolean {
    const account = this.serviceAccount(email);
    if (!account) return false;
    account.disabled = disabled;
    return true;
  }

  /**
   * Deletes an account. As at Google, its grants stay in every policy but now name
   * `deleted:serviceAccount:EMAIL?uid=ID`, so a new account of the same email inherits nothing.
   */
  deleteServiceAccount(email: string): boolean {
    const account = this.serviceAccount(email);
    if (!account) return false;
    delete this.data.serviceAccounts[email];
    for (const keyId of Object.keys(account.keys)) delete this.data.systemKeySecrets[keyId];
    const member = `serviceAccount:${email}`;
    const tombstone = `deleted:${member}?uid=${account.uniqueId}`;
    const holders = [...Object.values(this.data.projects), ...Object.values(this.data.serviceAccounts), ...Object.values(this.data.repositories ?? {})];
    const policies = holders.map((r) => r.iamPolicy);
    for (const policy of policies) {
      if (!policy.bindings.some((b) => b.members.includes(member))) continue;
      for (const binding of policy.bindings) binding.members = binding.members.map((m) => (m === member ? tombstone : m));
      policy.etag = newEtag();
    }
    return true;
  }

  /** Adds a user the consent page offers; idempotent. */
  addUser(email: string): UserRecord {
    const existing = own(this.data.users, email);
    if (existing) return existing;
    const user = {email, uniqueId: newNumericId(21)};
    this.data.users[email] = user;
    return user;
  }

  /** A user the emulator knows, by email. */
  user(email: string): UserRecord | undefined {
    return own(this.data.users, email);
  }

  /** The emails of every known user, in the order they were added (the consent page's order). */
  userEmails(): string[] {
    return Object.keys(this.data.users);
  }

  /** The persisted VM record of the metadata server, made with its defaults on first use. */
  vm(): VmRecord {
    this.data.vm ??= {instanceId: newNumericId(19), name: 'gcauth-emulated-vm', zone: 'us-central1-a', createTime: new Date(this.now()).toISOString()};
    return this.data.vm;
  }

  /** Changes the VM's account (undefined: the Compute Engine default, null: none) and/or its scopes. */
  updateVm(change: {serviceAccount?: string | null | undefined; scopes?: string[]}): void {
    const vm = this.vm();
    if ('serviceAccount' in change) {
      if (change.serviceAccount === undefined) delete vm.serviceAccount;
      else vm.serviceAccount = change.serviceAccount;
    }
    if (change.scopes !== undefined) vm.scopes = change.scopes;
  }

  /** The registry front's signing key and certificate, if one was made. */
  registryKey(): RegistryKeyRecord | undefined {
    return this.data.registryKey;
  }

  setRegistryKey(record: RegistryKeyRecord): void {
    this.data.registryKey = record;
  }

  /** The CI token issuer's signing key; made (and kept) on the first call. */
  async ciSigningKey(): Promise<Readonly<SigningKeyRecord>> {
    if (!this.data.ciSigningKey) {
      const pair = await generateRsaKeyPair();
      this.data.ciSigningKey ??= {kid: newKeyId(), ...pair, createTime: new Date(this.now()).toISOString()};
    }
    return this.data.ciSigningKey;
  }

  /** Remembers a CI job; its request secret names it from then on. */
  addCiJob(job: CiJobRecord): void {
    this.data.ciJobs ??= {};
    this.data.ciJobs[job.id] = job;
  }

  /** A CI job by id. */
  ciJob(id: string): Readonly<CiJobRecord> | undefined {
    return this.data.ciJobs ? own(this.data.ciJobs, id) : undefined;
  }

  /** The CI job whose request secret this is, if any. */
  ciJobByRequestToken(requestToken: string): Readonly<CiJobRecord> | undefined {
    return Object.values(this.data.ciJobs ?? {}).find((job) => job.requestToken === requestToken);
  }

  /** The stand-in AWS world, made with its defaults on first use: an account, one EC2 instance and its role. */
  aws(): Readonly<AwsRecord> {
    this.data.aws ??= {
      accountId: newNumericId(12),
      instanceId: `i-0${randomBytes(8).toString('hex')}`,
      availabilityZone: 'us-east-1b',
      roleName: 'gcauth-emulator-role',
      imdsV2Required: false,
      keys: {},
    };
    return this.data.aws;
  }

  /** Whether the instance metadata requires an IMDSv2 session token (the instance's HttpTokens setting). */
  setImdsV2Required(required: boolean): void {
    (this.aws() as AwsRecord).imdsV2Required = required;
  }

  /** A live AWS key by access key id; expired and unknown keys read as undefined. */
  awsKey(accessKeyId: string): Readonly<AwsKeyRecord> | undefined {
    const key = own(this.aws().keys, accessKeyId);
    return key && (key.expiresAt === undefined || key.expiresAt > this.now()) ? key : undefined;
  }

  /** Remembers an AWS key; `role` makes it the instance role's current temporary key. */
  addAwsKey(accessKeyId: string, key: AwsKeyRecord, opts: {role?: boolean} = {}): void {
    const aws = this.aws() as AwsRecord;
    aws.keys[accessKeyId] = key;
    if (opts.role) aws.roleAccessKeyId = accessKeyId;
  }

  /** An OAuth client seen at the token endpoint. */
  oauthClient(clientId: string): OAuthClientRecord | undefined {
    return own(this.data.oauthClients, clientId);
  }

  /** Remembers the secret a client first presented; it is the only one accepted after. */
  addOAuthClient(clientId: string, clientSecret: string): void {
    this.data.oauthClients[clientId] = {clientSecret, firstSeen: new Date(this.now()).toISOString()};
  }

  /** Remembers an authorization code (in memory only) until it expires or is exchanged. */
  addAuthCode(code: string, record: AuthCodeRecord): void {
    this.authCodes.set(code, record);
  }

  /** An authorization code's record, used or not, expired or not: the token endpoint tells those apart. */
  authCode(code: string): AuthCodeRecord | undefined {
    return this.authCodes.get(code);
  }

  forgetAuthCode(code: string): void {
    this.authCodes.delete(code);
  }

  /** Forgets the codes that have expired. */
  pruneAuthCodes(): void {
    const now = this.now();
    for (const [code, record] of this.authCodes) if (record.expiresAt <= now) this.authCodes.delete(code);
  }

  /** Issues and remembers an access token good for `lifetimeSeconds`, optionally derived from a refresh token. */
  issueAccessToken(
    email: string,
    scopes: string[],
    clientId: string,
    lifetimeSeconds: number,
    refreshToken?: string,
  ): {token: string; record: AccessTokenRecord} {
    const token = newAccessToken();
    const issuedAt = this.now();
    const record: AccessTokenRecord = {email, scopes, clientId, issuedAt, expiresAt: issuedAt + lifetimeSeconds * 1000};
    if (refreshToken !== undefined) record.refreshToken = refreshToken;
    this.data.accessTokens[token] = record;
    return {token, record};
  }

  /** The record of a live token; expired, revoked and unknown tokens all read as undefined. */
  accessToken(token: string): AccessTokenRecord | undefined {
    const record = own(this.data.accessTokens, token);
    if (!record || record.expiresAt <= this.now()) return undefined;
    return record;
  }

  /** Forgets a token; returns whether it was live. */
  revokeAccessToken(token: string): boolean {
    const live = this.accessToken(token) !== undefined;
    if (Object.hasOwn(this.data.accessTokens, token)) delete this.data.accessTokens[token];
    return live;
  }

  /** Issues a refresh token for a user's offline grant to a client. */
  issueRefreshToken(email: string, clientId: string, scopes: string[]): string {
    const token = newRefreshToken();
    this.data.refreshTokens[token] = {email, clientId, scopes, issuedAt: this.now()};
    return token;
  }

  /** A live refresh token's record; revoked and unknown ones read as undefined. */
  refreshToken(token: string): RefreshTokenRecord | undefined {
    return own(this.data.refreshTokens, token);
  }

  /** Revokes a refresh token and every access token issued from it; returns whether it was live. */
  revokeRefreshToken(token: string): boolean {
    if (!Object.hasOwn(this.data.refreshTokens, token)) return false;
    delete this.data.refreshTokens[token];
    for (const [access, record] of Object.entries(this.data.accessTokens)) {
      if (record.refreshToken === token) delete this.data.accessTokens[access];
    }
    return true;
  }

  /** A pool by resource name, deleted or not, until it is purged (30 days after deletion, as at Google). */
  workloadIdentityPool(name: string): WorkloadIdentityPoolRecord | undefined {
    const pool = own(this.data.workloadIdentityPools, name);
    return pool && this.unpurged(pool) ? pool : undefined;
  }

  /** The pools of a project (by number), deleted ones too until purged, ordered by id so pages are stable. */
  workloadIdentityPoolsOf(projectNumber: string): WorkloadIdentityPoolRecord[] {
    return Object.values(this.data.workloadIdentityPools)
      .filter((p) => p.projectNumber === projectNumber && this.unpurged(p))
      .sort((a, b) => (a.poolId < b.poolId ? -1 : a.poolId > b.poolId ? 1 : 0));
  }

  /** Creates an active pool with no providers; the caller has checked that its id is free. */
  createWorkloadIdentityPool(
    projectNumber: string,
    poolId: string,
    fields: Pick<WorkloadIdentityPoolRecord, 'displayName' | 'description' | 'disabled'>,
  ): WorkloadIdentityPoolRecord {
    const pool: WorkloadIdentityPoolRecord = {projectNumber, poolId, ...fields, state: 'ACTIVE', providers: {}};
    this.data.workloadIdentityPools[poolName(projectNumber, poolId)] = pool;
    return pool;
  }

  /** A provider of a pool, deleted or not, until it is purged. */
  workloadIdentityProvider(pool: WorkloadIdentityPoolRecord, providerId: string): WorkloadIdentityProviderRecord | undefined {
    const provider = own(pool.providers, providerId);
    return provider && this.unpurged(provider) ? provider : undefined;
  }

  /** The providers of a pool, deleted ones too until purged, ordered by id. */
  workloadIdentityProvidersOf(pool: WorkloadIdentityPoolRecord): WorkloadIdentityProviderRecord[] {
    return Object.values(pool.providers)
      .filter((p) => this.unpurged(p))
      .sort((a, b) => (a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0));
  }

  /** Adds an active provider to a pool; the caller has checked its id is free and its fields valid. */
  addWorkloadIdentityProvider(pool: WorkloadIdentityPoolRecord, provider: Omit<WorkloadIdentityProviderRecord, 'state'>): WorkloadIdentityProviderRecord {
    const record: WorkloadIdentityProviderRecord = {...provider, state: 'ACTIVE'};
    pool.providers[provider.providerId] = record;
    return record;
  }

  /** Soft-deletes a pool or provider (state DELETED, purged in 30 days), or undeletes it. */
  setFederationDeleted(resource: WorkloadIdentityPoolRecord | WorkloadIdentityProviderRecord, deleted: boolean): void {
    resource.state = deleted ? 'DELETED' : 'ACTIVE';
    if (deleted) resource.expireTime = new Date(this.now() + SOFT_DELETE_MS).toISOString();
    else delete resource.expireTime;
  }

  private unpurged(resource: {state: string; expireTime?: string}): boolean {
    return resource.state !== 'DELETED' || resource.expireTime === undefined || Date.parse(resource.expireTime) > this.now();
  }

  /** Issues and remembers a federated principal's access token, good for `lifetimeSeconds`. */
  issueFederatedToken(fields: Omit<FederatedTokenRecord, 'issuedAt' | 'expiresAt'>, lifetimeSeconds: number): {token: string; record: FederatedTokenRecord} {
    const token = newAccessToken();
    const issuedAt = this.now();
    const record: FederatedTokenRecord = {...fields, issuedAt, expiresAt: issuedAt + lifetimeSeconds * 1000};
    this.data.federatedTokens[token] = record;
    return {token, record};
  }

  /** The record of a live federated token; expired and unknown ones read as undefined. */
  federatedToken(token: string): FederatedTokenRecord | undefined {
    const record = own(this.data.federatedTokens, token);
    return record && record.expiresAt > this.now() ? record : undefined;
  }

  /** An Artifact Registry repository of a project (by id), or undefined. */
  repository(projectId: string, location: string, repositoryId: string): RepositoryRecord | undefined {
    return own(this.data.repositories ?? {}, repositoryName(projectId, location, repositoryId));
  }

  /** The repositories of a project in one location, ordered by id so pages are stable. */
  repositoriesOf(projectId: string, location: string): RepositoryRecord[] {
    return Object.values(this.data.repositories ?? {})
      .filter((r) => r.projectId === projectId && r.location === location)
      .sort((a, b) => (a.repositoryId < b.repositoryId ? -1 : a.repositoryId > b.repositoryId ? 1 : 0));
  }

  /** Creates a repository with an empty policy; the caller has checked that its name is free and its fields valid. */
  createRepository(fields: Pick<RepositoryRecord, 'projectId' | 'location' | 'repositoryId' | 'format' | 'description' | 'labels'>): RepositoryRecord {
    const time = new Date(this.now()).toISOString();
    const repository: RepositoryRecord = {...fields, mode: 'STANDARD_REPOSITORY', createTime: time, updateTime: time, iamPolicy: emptyPolicy()};
    this.data.repositories ??= {};
    this.data.repositories[repositoryName(fields.projectId, fields.location, fields.repositoryId)] = repository;
    return repository;
  }

  /** Deletes a repository and its policy; returns whether there was one. */
  deleteRepository(repository: RepositoryRecord): boolean {
    const name = repositoryName(repository.projectId, repository.location, repository.repositoryId);
    if (!this.data.repositories || !Object.hasOwn(this.data.repositories, name)) return false;
    delete this.data.repositories[name];
    return true;
  }

  /** Remembers a finished operation (in memory only) so `operations.get` can answer it again. */
  addOperation(name: string, operation: Record<string, unknown>): void {
    this.operations.set(name, operation);
  }

  /** A finished operation by name. */
  operation(name: string): Record<string, unknown> | undefined {
    return this.operations.get(name);
  }

  /** What `GET /__admin/state` shows: projects with their policies, accounts with their policies and keys, users. */
  publicView(): StateView {
    const projects = Object.fromEntries(
      Object.values(this.data.projects).map((p) => [
        p.projectId,
        {projectNumber: p.projectNumber, iamPolicy: p.iamPolicy, enabledServices: p.enabledServices ?? [], enforcedConstraints: p.enforcedConstraints ?? []},
      ]),
    );
    const serviceAccounts = Object.fromEntries(
      Object.values(this.data.serviceAccounts).map((a) => [
        a.email,
        {
          projectId: a.projectId,
          uniqueId: a.uniqueId,
          displayName: a.displayName,
          description: a.description,
          disabled: a.disabled,
          iamPolicy: a.iamPolicy,
          keys: Object.fromEntries(Object.values(a.keys).map((k) => [k.keyId, {keyType: k.keyType, disabled: k.disabled}])),
        },
      ]),
    );
    return structuredClone({
      projects,
      serviceAccounts,
      users: Object.keys(this.data.users),
      workloadIdentityPools: this.data.workloadIdentityPools,
      repositories: this.data.repositories ?? {},
    });
  }

  /**
   * Persists the state atomically (0600). Calls made while a write is queued share it, so a burst of
   * token grants costs at most two writes; the snapshot is taken when the write starts.
   */
  save(): Promise<void> {
    if (this.pendingWrite) return this.pendingWrite;
    const write = this.writeChain.then(() => {
      this.pendingWrite = undefined;
      return this.writeNow();
    });
    this.pendingWrite = write;
    this.writeChain = write.catch(() => undefined);
    return write;
  }

  private async writeNow(): Promise<void> {
    const now = this.now();
    // Dead tokens are pruned so the file does not grow with every refresh.
    for (const [token, record] of Object.entries(this.data.accessTokens)) {
      if (record.expiresAt <= now) delete this.data.accessTokens[token];
    }
    for (const [token, record] of Object.entries(this.data.federatedTokens)) {
      if (record.expiresAt <= now) delete this.data.federatedTokens[token];
    }
    for (const [id, key] of Object.entries(this.data.aws?.keys ?? {})) {
      if (key.expiresAt !== undefined && key.expiresAt <= now) delete this.data.aws?.keys[id];
    }
    const text = `${JSON.stringify(this.data, null, 2)}\n`;
    await writeFileAtomic(this.file, text, {mode: 0o600});
  }
}
