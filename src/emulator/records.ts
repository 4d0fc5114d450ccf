/**
 * The shapes of the emulator's world: what `state.json` holds (StateData and its records) and what
 * `GET /__admin/state` shows (StateView). Only EmulatorState (state.ts) holds the data; other modules see these
 * records through its queries.
 */

export interface IamCondition {
  expression: string;
  title?: string;
  description?: string;
}

export interface IamBinding {
  role: string;
  members: string[];
  condition?: IamCondition;
}

export interface IamPolicy {
  version: number;
  etag: string;
  bindings: IamBinding[];
}

export interface ProjectRecord {
  projectId: string;
  projectNumber: string;
  name: string;
  lifecycleState: 'ACTIVE' | 'DELETE_REQUESTED';
  createTime: string;
  iamPolicy: IamPolicy;
  /** Service Usage: the services enabled on the project (absent from older files, which acted as if all were). */
  enabledServices?: string[];
  /** Organization-policy boolean constraints enforced on the project, e.g. `iam.disableServiceAccountKeyCreation`. */
  enforcedConstraints?: string[];
}

/** A service-account key as Google holds it: only the public half survives creation. */
export interface ServiceAccountKeyRecord {
  keyId: string;
  publicKeyPem: string;
  disabled: boolean;
  validAfterTime: string;
  validBeforeTime: string;
  keyAlgorithm: 'KEY_ALG_RSA_2048';
  keyOrigin: 'GOOGLE_PROVIDED' | 'USER_PROVIDED';
  keyType: 'USER_MANAGED' | 'SYSTEM_MANAGED';
}

export interface ServiceAccountRecord {
  email: string;
  projectId: string;
  uniqueId: string;
  displayName: string;
  description: string;
  disabled: boolean;
  keys: Record<string, ServiceAccountKeyRecord>;
  /** Who may act on this account (as a resource); project roles are inherited on top. */
  iamPolicy: IamPolicy;
}

/** A user account the emulator lets log in through its consent page. */
export interface UserRecord {
  email: string;
  uniqueId: string;
}

export interface AccessTokenRecord {
  email: string;
  scopes: string[];
  /** The OAuth client the token was issued to: the SA's uniqueId for jwt-bearer grants. */
  clientId: string;
  issuedAt: number;
  expiresAt: number;
  /** The refresh token this access token was issued from (code or refresh grant); revoking it kills this one too. */
  refreshToken?: string;
}

/** A user's offline grant to an OAuth client, as its refresh token (the map key) stands for it. */
export interface RefreshTokenRecord {
  email: string;
  clientId: string;
  scopes: string[];
  issuedAt: number;
}

/**
 * An OAuth client the emulator has seen at its token endpoint. Any client id is accepted (users bring
 * their own "Desktop app" client), but the first secret presented for an id is the only one accepted after.
 */
export interface OAuthClientRecord {
  clientSecret: string;
  firstSeen: string;
}

/** An authorization code awaiting exchange; held in memory only (a restart drops codes, as they live minutes). */
export interface AuthCodeRecord {
  email: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  accessType: 'online' | 'offline';
  nonce?: string;
  expiresAt: number;
  /** Set on first exchange; a second exchange is refused and revokes what the first produced. */
  used: boolean;
  refreshToken?: string;
}

/** The emulator's own key for signing id tokens; it plays Google's, so it keeps its private half. */
export interface SigningKeyRecord {
  kid: string;
  privateKeyPem: string;
  publicKeyPem: string;
  createTime: string;
}

/**
 * The registry front's token-signing key and its self-signed certificate, which a registry trusts as
 * `auth.token.rootcertbundle`; kept across restarts so a registry configured once stays configured.
 */
export interface RegistryKeyRecord {
  privateKeyPem: string;
  certificatePem: string;
  createTime: string;
}

/** A workload identity pool provider: whose credentials the pool trusts, and how they become attributes. */
export interface WorkloadIdentityProviderRecord {
  providerId: string;
  displayName: string;
  description: string;
  disabled: boolean;
  /** Deleted providers are kept (soft delete, as at Google) until `expireTime`. */
  state: 'ACTIVE' | 'DELETED';
  expireTime?: string;
  /** Google attribute (`google.subject`, `google.groups`, `attribute.NAME`) → CEL expression over `assertion`. */
  attributeMapping: Record<string, string>;
  attributeCondition?: string;
  oidc?: {issuerUri: string; allowedAudiences: string[]; jwksJson?: string};
  aws?: {accountId: string};
}

/** A workload identity pool; its providers live inside it, keyed by provider id. */
export interface WorkloadIdentityPoolRecord {
  projectNumber: string;
  poolId: string;
  displayName: string;
  description: string;
  disabled: boolean;
  state: 'ACTIVE' | 'DELETED';
  expireTime?: string;
  providers: Record<string, WorkloadIdentityProviderRecord>;
}

/**
 * An access token the emulated STS issued to a federated principal: who it is in its pool (the mapped subject,
 * groups and custom attributes), so policies can name it by `principal://` and `principalSet://` members.
 */
export interface FederatedTokenRecord {
  /** The pool's resource name, `projects/NUMBER/locations/global/workloadIdentityPools/POOL`. */
  pool: string;
  providerId: string;
  subject: string;
  groups: string[];
  /** Custom attributes by name (without the `attribute.` prefix). */
  attributes: Record<string, string[]>;
  scopes: string[];
  /** The OAuth client of the exchange's HTTP Basic credentials, if any (gcloud sends its own); introspection shows it. */
  clientId?: string;
  issuedAt: number;
  expiresAt: number;
}

/** An Artifact Registry repository, `projects/PROJECT/locations/LOCATION/repositories/ID`, with its own IAM policy. */
export interface RepositoryRecord {
  projectId: string;
  location: string;
  repositoryId: string;
  /** Google's Repository.Format enum value, e.g. `DOCKER`. */
  format: string;
  description: string;
  mode: 'STANDARD_REPOSITORY';
  labels: Record<string, string>;
  createTime: string;
  updateTime: string;
  /** Who may act on this repository; the project's roles apply on top. */
  iamPolicy: IamPolicy;
}

/** Everything persisted in `state.json`. Maps are keyed by their natural Google id. */
export interface StateData {
  version: number;
  defaultProject: string;
  ownerEmail: string;
  signingKey: SigningKeyRecord;
  projects: Record<string, ProjectRecord>;
  serviceAccounts: Record<string, ServiceAccountRecord>;
  users: Record<string, UserRecord>;
  accessTokens: Record<string, AccessTokenRecord>;
  /** User refresh tokens (absent from files written before the login flow existed; filled on load). */
  refreshTokens: Record<string, RefreshTokenRecord>;
  /**
   * Private halves of system-managed keys, by key id: Google signs with them for IAM Credentials `signJwt`.
   * Kept apart from the account records, which hold public halves only (user-managed private keys are never kept).
   */
  systemKeySecrets: Record<string, string>;
  /** OAuth clients seen at the token endpoint, keyed by client id (filled on load like refreshTokens). */
  oauthClients: Record<string, OAuthClientRecord>;
  /** Made by the registry front on its first start (absent from files written before it existed). */
  registryKey?: RegistryKeyRecord;
  /** The emulated VM the metadata server describes; made on its first use (absent from older files). */
  vm?: VmRecord;
  /** Workload identity pools by resource name (absent from files written before federation; filled on load). */
  workloadIdentityPools: Record<string, WorkloadIdentityPoolRecord>;
  /** Access tokens of federated principals, issued by the STS (filled on load like pools). */
  federatedTokens: Record<string, FederatedTokenRecord>;
  /** The CI token issuer's signing key, served at `{url}/ci/.well-known/jwks`; made at start when absent. */
  ciSigningKey?: SigningKeyRecord;
  /** CI jobs by id: who a job token is about, found by the job's request secret. */
  ciJobs?: Record<string, CiJobRecord>;
  /** Artifact Registry repositories by resource name with the project id (absent from older files; filled on load). */
  repositories?: Record<string, RepositoryRecord>;
  /** The stand-in AWS world (an EC2 instance, its role and IAM users' keys); made on first use. */
  aws?: AwsRecord;
}

/** A CI job as GitHub Actions describes one in its job tokens' claims; the request secret names it. */
export interface CiJobRecord {
  id: string;
  /** The job's ACTIONS_ID_TOKEN_REQUEST_TOKEN. */
  requestToken: string;
  /** `OWNER/REPO`. */
  repository: string;
  repositoryId: string;
  repositoryOwnerId: string;
  /** A full ref: `refs/heads/BRANCH` or `refs/tags/TAG`. */
  ref: string;
  sha: string;
  actor: string;
  actorId: string;
  environment?: string;
  eventName: string;
  workflow: string;
  runId: string;
  /** Seconds from `iat` to `exp` of the job's tokens. */
  lifetimeSeconds: number;
  createTime: string;
}

/** An AWS access key the stand-in knows: an instance role's temporary one, or an IAM user's long-term one. */
export interface AwsKeyRecord {
  secretAccessKey: string;
  /** Temporary (role) credentials only. */
  sessionToken?: string;
  /** What GetCallerIdentity answers: `arn:aws:sts::ACCOUNT:assumed-role/ROLE/i-…` or `arn:aws:iam::ACCOUNT:user/NAME`. */
  arn: string;
  account: string;
  userId: string;
  /** Epoch ms; absent for an IAM user's key, which does not expire. */
  expiresAt?: number;
  createTime: string;
}

/** The stand-in AWS world: one EC2 instance with a role, and keys by access key id. */
export interface AwsRecord {
  accountId: string;
  instanceId: string;
  availabilityZone: string;
  roleName: string;
  /** Whether the instance metadata refuses requests without an IMDSv2 session token (HttpTokens=required). */
  imdsV2Required: boolean;
  /** The role's current temporary key, handed out until it nears its end. */
  roleAccessKeyId?: string;
  keys: Record<string, AwsKeyRecord>;
}

/** The emulated Compute Engine VM: its identity as the metadata server reports it. */
export interface VmRecord {
  /** The VM's service account; absent means the project's Compute Engine default account, null none. */
  serviceAccount?: string | null;
  /** Its access scopes as full URLs; absent means GCE's defaults. */
  scopes?: string[];
  instanceId: string;
  name: string;
  zone: string;
  createTime: string;
}

/**
 * `GET /__admin/state`: the emulated world without key material or tokens, keyed like StateData, so a test
 * can compare it before and after a refused call and see that nothing changed.
 */
export interface StateView {
  projects: Record<string, {projectNumber: string; iamPolicy: IamPolicy; enabledServices: string[]; enforcedConstraints: string[]}>;
  serviceAccounts: Record<
    string,
    Pick<ServiceAccountRecord, 'projectId' | 'uniqueId' | 'displayName' | 'description' | 'disabled' | 'iamPolicy'> & {
      keys: Record<string, Pick<ServiceAccountKeyRecord, 'keyType' | 'disabled'>>;
    }
  >;
  users: string[];
  /** Pools with their providers, as the IAM API renders them (no tokens). */
  workloadIdentityPools: Record<string, WorkloadIdentityPoolRecord>;
  /** Artifact Registry repositories with their policies, by resource name. */
  repositories: Record<string, RepositoryRecord>;
}
