/**
 * Workload Identity Federation set up on an emulator (in process or a process) through its public APIs and admin
 * routes: a pool with an OIDC provider that trusts the emulator's CI issuer and an AWS provider that trusts its
 * stand-in AWS, a service account the pool's repository may impersonate, a project role for the job's principal, and
 * a CI job whose token URL and bearer secret a credential configuration names.
 */
import {accessTokenFor, admin, callApi, readKeyFile} from './emulator.js';

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
  const owner = await accessTokenFor(url, readKeyFile(ownerKeyFile));
  const api = async (method: string, path: string, body?: unknown) => {
    const answer = await callApi(url, owner, method, path, body);
    if (answer.status !== 200) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const number = String((await api('GET', '/cloudresourcemanager/v1/projects/demo-project')).projectNumber);
  const pools = '/iam/v1/projects/demo-project/locations/global/workloadIdentityPools';
  await api('POST', `${pools}?workloadIdentityPoolId=${FEDERATION.pool}`, {});
  await api('POST', `${pools}/${FEDERATION.pool}/providers?workloadIdentityPoolProviderId=gh-prov`, {
    oidc: {issuerUri: `${url}/ci`},
    attributeMapping: {'google.subject': 'assertion.sub', 'attribute.repository': 'assertion.repository'},
    attributeCondition: "assertion.repository_owner == 'octo'",
  });
  // A provider that trusts another issuer: the CI issuer's tokens are refused there for their `iss`.
  await api('POST', `${pools}/${FEDERATION.pool}/providers?workloadIdentityPoolProviderId=other-issuer`, {
    oidc: {issuerUri: `${url}/not-the-ci`},
    attributeMapping: {'google.subject': 'assertion.sub'},
  });
  const aws = (await admin(url, 'aws')) as {accountId: string};
  await api('POST', `${pools}/${FEDERATION.pool}/providers?workloadIdentityPoolProviderId=aws-prov`, {aws: {accountId: aws.accountId}});
  const poolName = `//iam.googleapis.com/projects/${number}/locations/global/workloadIdentityPools/${FEDERATION.pool}`;
  const created = await api('POST', '/iam/v1/projects/demo-project/serviceAccounts', {accountId: FEDERATION.accountId});
  const sa = String(created.email);
  await api('POST', `/iam/v1/projects/demo-project/serviceAccounts/${sa}:setIamPolicy`, {
    policy: {bindings: [{role: 'roles/iam.workloadIdentityUser', members: [`principalSet:${poolName}/attribute.repository/${FEDERATION.repository}`]}]},
  });
  const principal = `principal:${poolName}/subject/repo:${FEDERATION.repository}:ref:${FEDERATION.ref}`;
  const policy = await api('POST', '/cloudresourcemanager/v1/projects/demo-project:getIamPolicy', {});
  const bindings = [...((policy.bindings as unknown[]) ?? []), {role: 'roles/viewer', members: [principal]}];
  await api('POST', '/cloudresourcemanager/v1/projects/demo-project:setIamPolicy', {policy: {...policy, bindings}});
  const job = (await admin(url, 'ci/jobs', {repository: FEDERATION.repository, ref: FEDERATION.ref})) as {requestUrl: string; requestToken: string};
  const audience = `${poolName}/providers/gh-prov`;
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
    saUniqueId: String(created.uniqueId),
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
