/**
 * Workload Identity Federation set up in an emulator through its public APIs, as an administrator would: a pool, an
 * OIDC provider trusting the emulator's CI issuer, IAM bindings for its principals, and CI jobs whose tokens a
 * credential configuration's url source fetches. Shared by the end-to-end tests of real clients (gcloud,
 * google-auth-library, docker and skopeo through the helper).
 */
import {writeFileSync} from 'node:fs';
import {accessTokenFor, admin, callApi, readKeyFile} from './emulator.js';

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

export interface Federation {
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
  /** Creates a service account `id` in the project; its email. */
  createServiceAccount(id: string): Promise<string>;
}

/**
 * Creates, as the emulator's owner, a pool and an OIDC provider whose issuer is the emulator's CI issuer, mapping
 * CI_MAPPING under the condition `assertion.repository_owner == OWNER`. Throws when the emulator refuses any step.
 */
export async function provisionFederation(emu: {url: string; project: string; ownerKeyFile: string}, options: FederationOptions = {}): Promise<Federation> {
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
      return String(account.email);
    },
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
