/**
 * Workload Identity Federation set up on an emulator (in process or a process) through its public APIs and admin
 * routes, as an administrator would: `provisionFederation` makes a pool and an OIDC provider trusting the emulator's
 * CI issuer and hands back what a test needs to bind its principals, make CI jobs and service accounts;
 * `setUpFederation` is one fixed world on top of it (an AWS provider too, a service account the pool's repository may
 * impersonate, a project role for the job's principal). `pointAtEmulator` turns a configuration written for Google
 * (by gcloud or gcauth) toward the emulator.
 */
import {writeFileSync} from 'node:fs';
import {admin, accessTokenFor, callApi, readKeyFile} from './emulator.js';

/** The provider's attribute mapping: the job's `sub` is the subject, its repository an attribute. */
export const CI_MAPPING = {'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository'};

export interface FederationOptions {
  poolId?: string;
  providerId?: string;
  /** The owner whose jobs the provider accepts (its attribute condition). */
  owner?: string;
}

/** What a CI job has in its environment (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN). */
export interface CiJob {
  requestUrl: string;
  requestToken: string;
}

export interface FederatedPool {
  /** The project's number, which every federated name carries. */
  projectNumber: string;
  /** `projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER`. */
  provider: string;
  /** The STS audience: `//iam.googleapis.com/` + provider. */
  audience: string;
  /** The `principal://` of a subject (the account gcloud names after login). */
  principal(subject: string): string;
  /** The `principalSet://` member of every principal whose `attribute.repository` is `repository`. */
  repositorySet(repository: string): string;
  /** A new CI job of `repository` (OWNER/REPO) on `ref`, made through the emulator's admin route. */
  job(repository: string, ref?: string): Promise<CiJob>;
  /** The url source a job's configuration names: its request URL with the audience a GitHub job asks for. */
  sourceUrl(job: CiJob): string;
  /** `role` for `member` on the project (Resource Manager), or on a service account (IAM) when `account` is given. */
  grant(member: string, role: string, account?: string): Promise<void>;
  /** Creates a service account `id` in the project. */
  createServiceAccount(id: string): Promise<{email: string; uniqueId: string}>;
  /** Calls an emulated API as the owner; throws unless it answers 200. */
  api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
}

/**
 * Creates, as the emulator's owner, a pool and an OIDC provider whose issuer is the emulator's CI issuer, mapping
 * CI_MAPPING under the condition `assertion.repository_owner == OWNER`. Throws when the emulator refuses any step.
 */
export async function provisionFederation(emu: {url: string; project: string; ownerKeyFile: string}, options: FederationOptions = {}): Promise<FederatedPool> {
  const {poolId = 'ci-pool', providerId = 'gh-actions', owner = 'acme'} = options;
  const token = await accessTokenFor(emu.url, readKeyFile(emu.ownerKeyFile));
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await callApi(emu.url, token, method, path, body);
    if (r.status !== 200) throw new Error(`${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const project = await call('GET', `/cloudresourcemanager/v1/projects/${emu.project}`);
  const projectNumber = String(project.projectNumber);
  const pools = `/iam/v1/projects/${emu.project}/locations/global/workloadIdentityPools`;
  await call('POST', `${pools}?workloadIdentityPoolId=${poolId}`, {displayName: 'CI'});
  await call('POST', `${pools}/${poolId}/providers?workloadIdentityPoolProviderId=${providerId}`, {
    oidc: {issuerUri: `${emu.url}/ci`},
    attributeMapping: CI_MAPPING,
    attributeCondition: `assertion.repository_owner == '${owner}'`,
  });
  const pool = `projects/${projectNumber}/locations/global/workloadIdentityPools/${poolId}`;
  const provider = `${pool}/providers/${providerId}`;

  const grant = async (member: string, role: string, account?: string) => {
    const resource = account === undefined ? `/cloudresourcemanager/v1/projects/${emu.project}` : `/iam/v1/projects/-/serviceAccounts/${account}`;
    const policy = (await call('POST', `${resource}:getIamPolicy`, {})) as {bindings?: {role: string; members: string[]}[]; etag?: string};
    const bindings = policy.bindings ?? [];
    const binding = bindings.find((b) => b.role === role);
    if (binding) binding.members.push(member);
    else bindings.push({role, members: [member]});
    await call('POST', `${resource}:setIamPolicy`, {policy: {...policy, bindings}});
  };

  return {
    projectNumber,
    provider,
    audience: `//iam.googleapis.com/${provider}`,
    principal: (subject) => `principal://iam.googleapis.com/${pool}/subject/${subject}`,
    repositorySet: (repository) => `principalSet://iam.googleapis.com/${pool}/attribute.repository/${repository}`,
    job: async (repository, ref = 'main') => (await admin(emu.url, 'ci/jobs', {repository, ref})) as CiJob,
    sourceUrl: (job) => `${job.requestUrl}&audience=https://iam.googleapis.com/${provider}`,
    grant,
    createServiceAccount: async (id) => {
      const account = await call('POST', `/iam/v1/projects/${emu.project}/serviceAccounts`, {accountId: id, serviceAccount: {displayName: id}});
      return {email: String(account.email), uniqueId: String(account.uniqueId)};
    },
    api: call,
  };
}

/**
 * Points a credential configuration written for Google (by gcloud or gcauth) at the emulator: its STS token and
 * introspection URLs and, when it impersonates, IAM Credentials. Every client follows the file's URLs (gcloud 528
 * ignores CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS for the impersonation URL, measured).
 */
export function pointAtEmulator(config: Record<string, unknown>, url: string): Record<string, unknown> {
  const out: Record<string, unknown> = {...config, token_url: `${url}/sts/v1/token`};
  if ('token_info_url' in config) out.token_info_url = `${url}/sts/v1/introspect`;
  if (typeof config.service_account_impersonation_url === 'string') {
    out.service_account_impersonation_url = config.service_account_impersonation_url.replace('https://iamcredentials.googleapis.com', `${url}/iamcredentials`);
  }
  return out;
}

/** Writes a configuration as the tools do (2-space JSON), mode 0600: its url headers carry the job's secret. */
export function writeCredentialConfig(file: string, config: Record<string, unknown>): void {
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, {mode: 0o600});
}

export const FEDERATION = {
  pool: 'ci-pool',
  repository: 'octo/app',
  ref: 'refs/heads/main',
  accountId: 'ci-deployer',
} as const;

export interface Federation {
  url: string;
  number: string;
  /** The OIDC provider's audience (//iam.googleapis.com/projects/N/.../providers/gh-prov). */
  audience: string;
  awsAudience: string;
  /** The service account the pool's repository may impersonate, and its unique id (a token's `azp`). */
  sa: string;
  saUniqueId: string;
  /** The job's principal (as the STS's introspection names it), bound to roles/viewer on the project. */
  principal: string;
  job: {requestUrl: string; requestToken: string};
  /** A fresh job token for the OIDC provider, as a CI step would fetch it. */
  jobToken(): Promise<string>;
  /** A credential configuration as gcloud's create-cred-config writes it, for the OIDC provider. */
  config(overrides?: Record<string, unknown>): Record<string, unknown>;
  /** The same, reading the job's token from the CI issuer's URL, as a GitHub Actions job would. */
  urlSource(): Record<string, unknown>;
  /** The same configuration impersonating the service account. */
  impersonating(overrides?: Record<string, unknown>): Record<string, unknown>;
}

/** Sets federation up on the emulator at url, as its owner. */
export async function setUpFederation(url: string, ownerKeyFile: string): Promise<Federation> {
  const pool = await provisionFederation({url, project: 'demo-project', ownerKeyFile}, {poolId: FEDERATION.pool, providerId: 'gh-prov', owner: 'octo'});
  const {api, projectNumber: number} = pool;
  const pools = '/iam/v1/projects/demo-project/locations/global/workloadIdentityPools';
  // A provider that trusts another issuer: the CI issuer's tokens are refused there for their `iss`.
  await api('POST', `${pools}/${FEDERATION.pool}/providers?workloadIdentityPoolProviderId=other-issuer`, {
    oidc: {issuerUri: `${url}/not-the-ci`},
    attributeMapping: {'google.subject': 'assertion.sub'},
  });
  const aws = (await admin(url, 'aws')) as {accountId: string};
  await api('POST', `${pools}/${FEDERATION.pool}/providers?workloadIdentityPoolProviderId=aws-prov`, {aws: {accountId: aws.accountId}});
  const poolName = `//iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/${FEDERATION.pool}`;
  const created = await pool.createServiceAccount(FEDERATION.accountId);
  const sa = created.email;
  await pool.grant(pool.repositorySet(FEDERATION.repository), 'roles/iam.workloadIdentityUser', sa);
  const principal = pool.principal(`repo:${FEDERATION.repository}:ref:${FEDERATION.ref}`);
  await pool.grant(principal, 'roles/viewer');
  const job = await pool.job(FEDERATION.repository, FEDERATION.ref);
  const audience = pool.audience;
  const config = (overrides: Record<string, unknown> = {}) => ({
    universe_domain: 'googleapis.com',
    type: 'external_account',
    audience,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${url}/sts/v1/token`,
    credential_source: {file: '/nonexistent'},
    token_info_url: `${url}/sts/v1/introspect`,
    ...overrides,
  });
  return {
    url,
    number,
    audience,
    awsAudience: `${poolName}/providers/aws-prov`,
    sa,
    saUniqueId: created.uniqueId,
    principal,
    job,
    async jobToken() {
      const res = await fetch(`${job.requestUrl}&audience=${encodeURIComponent(`https:${audience}`)}`, {headers: {Authorization: `Bearer ${job.requestToken}`}});
      if (!res.ok) throw new Error(`the CI issuer answered ${res.status}`);
      return String(((await res.json()) as {value: string}).value);
    },
    config,
    urlSource: () => ({
      url: `${job.requestUrl}&audience=${encodeURIComponent(`https:${audience}`)}`,
      headers: {Authorization: `Bearer ${job.requestToken}`},
      format: {type: 'json', subject_token_field_name: 'value'},
    }),
    impersonating: (overrides = {}) =>
      config({token_info_url: undefined, service_account_impersonation_url: `${url}/iamcredentials/v1/projects/-/serviceAccounts/${sa}:generateAccessToken`, ...overrides}),
  };
}
