import type {ApiRoute, ApiService} from './api.js';
import * as artifactregistry from './artifactregistry.js';
import * as crm from './crm.js';
import {API_MESSAGES} from './google-errors.js';
import * as iam from './iam.js';
import * as iamcredentials from './iamcredentials.js';
import * as orgpolicy from './orgpolicy.js';
import * as serviceusage from './serviceusage.js';
import * as wif from './wif.js';

/** IAM v1 under `{url}/iam/` (gcloud: CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM). */
export const IAM: ApiService = {prefix: '/iam/', name: 'iam.googleapis.com', denial: API_MESSAGES.iamDenied, extraScopes: ['https://www.googleapis.com/auth/iam']};
/** Resource Manager v1 and v3 under `{url}/cloudresourcemanager/` (gcloud: CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER). */
export const CRM: ApiService = {prefix: '/cloudresourcemanager/', name: 'cloudresourcemanager.googleapis.com', denial: () => API_MESSAGES.crmDenied};

/** IAM Credentials v1 under `{url}/iamcredentials/` (gcloud: CLOUDSDK_API_ENDPOINT_OVERRIDES_IAMCREDENTIALS). */
export const IAM_CREDENTIALS: ApiService = {
  prefix: '/iamcredentials/',
  name: 'iamcredentials.googleapis.com',
  denial: API_MESSAGES.iamDenied,
  denialDomain: 'iam.googleapis.com',
  extraScopes: ['https://www.googleapis.com/auth/iam'],
};

/** Artifact Registry v1 under `{url}/artifactregistry/` (gcauth: api_endpoint_overrides/artifactregistry). */
export const ARTIFACT_REGISTRY: ApiService = {prefix: '/artifactregistry/', name: 'artifactregistry.googleapis.com', denial: artifactregistry.AR_MESSAGES.apiDenied};

/** Service Usage v1 under `{url}/serviceusage/` (gcloud: CLOUDSDK_API_ENDPOINT_OVERRIDES_SERVICEUSAGE); reachable on any project. */
export const SERVICE_USAGE: ApiService = {prefix: '/serviceusage/', name: 'serviceusage.googleapis.com', denial: API_MESSAGES.iamDenied, alwaysEnabled: true};

/** Org Policy v2 under `{url}/orgpolicy/` (gcauth: api_endpoint_overrides/orgpolicy): effective boolean constraints, for doctor. */
export const ORG_POLICY: ApiService = {prefix: '/orgpolicy/', name: 'orgpolicy.googleapis.com', denial: API_MESSAGES.iamDenied};

const ACCOUNTS = 'v1/projects/{project}/serviceAccounts';
const ACCOUNT = `${ACCOUNTS}/{account}`;
const KEYS = `${ACCOUNT}/keys`;
const KEY = `${KEYS}/{key}`;
const IAM_RPC = 'google.iam.admin.v1.IAM';
const POOLS = 'v1/projects/{project}/locations/{location}/workloadIdentityPools';
const POOL = `${POOLS}/{pool}`;
const PROVIDERS = `${POOL}/providers`;
const PROVIDER = `${PROVIDERS}/{provider}`;
const POOLS_RPC = 'google.iam.v1.WorkloadIdentityPools';
/** A pool's or provider's fields as a body may carry them; the output-only ones are accepted and ignored, as at Google. */
const POOL_BODY = ['name', 'displayName', 'description', 'disabled', 'state', 'expireTime'];
const PROVIDER_BODY = [...POOL_BODY, 'attributeMapping', 'attributeCondition', 'oidc', 'aws', 'saml', 'x509'];
const POLICY_BODY = ['policy', 'updateMask'];
const GET_POLICY_BODY = ['options'];
const TEST_BODY = ['permissions'];
/** A Repository's fields as a create body may carry them; the output-only ones are accepted and ignored, as at Google. */
const REPOSITORY_BODY = [
  'name', 'format', 'description', 'labels', 'createTime', 'updateTime', 'kmsKeyName', 'mode', 'cleanupPolicies', 'sizeBytes',
  'satisfiesPzs', 'satisfiesPzi', 'cleanupPolicyDryRun', 'dockerConfig', 'mavenConfig', 'registryUri', 'disallowUnspecifiedMode',
  'vulnerabilityScanningConfig', 'sbomConfig', 'networkConfig',
];

/** Every API method the emulator serves, in one table: the dispatcher, the stats keys and the docs read it. */
export const API_ROUTES: readonly ApiRoute[] = [
  {service: IAM, method: 'POST', path: ACCOUNTS, rpc: `${IAM_RPC}.CreateServiceAccount`, body: ['accountId', 'serviceAccount'], handle: iam.createServiceAccount},
  {service: IAM, method: 'GET', path: ACCOUNTS, rpc: `${IAM_RPC}.ListServiceAccounts`, readOnly: true, handle: iam.listServiceAccounts},
  {service: IAM, method: 'GET', path: ACCOUNT, rpc: `${IAM_RPC}.GetServiceAccount`, readOnly: true, handle: iam.getServiceAccount},
  {service: IAM, method: 'PATCH', path: ACCOUNT, rpc: `${IAM_RPC}.PatchServiceAccount`, body: ['serviceAccount', 'updateMask'], handle: iam.patchServiceAccount},
  {service: IAM, method: 'DELETE', path: ACCOUNT, rpc: `${IAM_RPC}.DeleteServiceAccount`, handle: iam.deleteServiceAccount},
  {service: IAM, method: 'POST', path: `${ACCOUNT}:disable`, rpc: `${IAM_RPC}.DisableServiceAccount`, body: [], handle: iam.disableServiceAccount},
  {service: IAM, method: 'POST', path: `${ACCOUNT}:enable`, rpc: `${IAM_RPC}.EnableServiceAccount`, body: [], handle: iam.enableServiceAccount},
  {service: IAM, method: 'POST', path: `${ACCOUNT}:getIamPolicy`, rpc: `${IAM_RPC}.GetIamPolicy`, body: GET_POLICY_BODY, readOnly: true, handle: iam.getAccountIamPolicy},
  {service: IAM, method: 'POST', path: `${ACCOUNT}:setIamPolicy`, rpc: `${IAM_RPC}.SetIamPolicy`, body: POLICY_BODY, handle: iam.setAccountIamPolicy},
  {service: IAM, method: 'POST', path: `${ACCOUNT}:testIamPermissions`, rpc: `${IAM_RPC}.TestIamPermissions`, body: TEST_BODY, readOnly: true, handle: iam.testAccountIamPermissions},
  {service: IAM, method: 'POST', path: KEYS, rpc: `${IAM_RPC}.CreateServiceAccountKey`, body: ['privateKeyType', 'keyAlgorithm'], handle: iam.createKey},
  {service: IAM, method: 'POST', path: `${KEYS}:upload`, rpc: `${IAM_RPC}.UploadServiceAccountKey`, body: ['publicKeyData'], handle: iam.uploadKey},
  {service: IAM, method: 'GET', path: KEYS, rpc: `${IAM_RPC}.ListServiceAccountKeys`, readOnly: true, handle: iam.listKeys},
  {service: IAM, method: 'GET', path: KEY, rpc: `${IAM_RPC}.GetServiceAccountKey`, readOnly: true, handle: iam.getKey},
  {service: IAM, method: 'DELETE', path: KEY, rpc: `${IAM_RPC}.DeleteServiceAccountKey`, handle: iam.deleteKey},
  {service: IAM, method: 'POST', path: `${KEY}:disable`, rpc: `${IAM_RPC}.DisableServiceAccountKey`, body: ['serviceAccountKeyDisableReason', 'extendedStatusMessage'], handle: iam.disableKey},
  {service: IAM, method: 'POST', path: `${KEY}:enable`, rpc: `${IAM_RPC}.EnableServiceAccountKey`, body: [], handle: iam.enableKey},

  {service: IAM, method: 'POST', path: POOLS, rpc: `${POOLS_RPC}.CreateWorkloadIdentityPool`, body: POOL_BODY, handle: wif.createPool},
  {service: IAM, method: 'GET', path: POOLS, rpc: `${POOLS_RPC}.ListWorkloadIdentityPools`, readOnly: true, handle: wif.listPools},
  {service: IAM, method: 'GET', path: POOL, rpc: `${POOLS_RPC}.GetWorkloadIdentityPool`, readOnly: true, handle: wif.getPool},
  {service: IAM, method: 'PATCH', path: POOL, rpc: `${POOLS_RPC}.UpdateWorkloadIdentityPool`, body: POOL_BODY, handle: wif.patchPool},
  {service: IAM, method: 'DELETE', path: POOL, rpc: `${POOLS_RPC}.DeleteWorkloadIdentityPool`, handle: wif.deletePool},
  {service: IAM, method: 'POST', path: `${POOL}:undelete`, rpc: `${POOLS_RPC}.UndeleteWorkloadIdentityPool`, body: [], handle: wif.undeletePool},
  {service: IAM, method: 'GET', path: `${POOL}/operations/{operation}`, rpc: 'google.longrunning.Operations.GetOperation', readOnly: true, handle: wif.getPoolOperation},
  {service: IAM, method: 'POST', path: PROVIDERS, rpc: `${POOLS_RPC}.CreateWorkloadIdentityPoolProvider`, body: PROVIDER_BODY, handle: wif.createProvider},
  {service: IAM, method: 'GET', path: PROVIDERS, rpc: `${POOLS_RPC}.ListWorkloadIdentityPoolProviders`, readOnly: true, handle: wif.listProviders},
  {service: IAM, method: 'GET', path: PROVIDER, rpc: `${POOLS_RPC}.GetWorkloadIdentityPoolProvider`, readOnly: true, handle: wif.getProvider},
  {service: IAM, method: 'PATCH', path: PROVIDER, rpc: `${POOLS_RPC}.UpdateWorkloadIdentityPoolProvider`, body: PROVIDER_BODY, handle: wif.patchProvider},
  {service: IAM, method: 'DELETE', path: PROVIDER, rpc: `${POOLS_RPC}.DeleteWorkloadIdentityPoolProvider`, handle: wif.deleteProvider},
  {service: IAM, method: 'POST', path: `${PROVIDER}:undelete`, rpc: `${POOLS_RPC}.UndeleteWorkloadIdentityPoolProvider`, body: [], handle: wif.undeleteProvider},
  {service: IAM, method: 'GET', path: `${PROVIDER}/operations/{operation}`, rpc: 'google.longrunning.Operations.GetOperation', readOnly: true, handle: wif.getProviderOperation},

  ...(
    [
      ['generateAccessToken', 'GenerateAccessToken', ['delegates', 'scope', 'lifetime'], iamcredentials.generateAccessToken],
      ['generateIdToken', 'GenerateIdToken', ['delegates', 'audience', 'includeEmail'], iamcredentials.generateIdToken],
      ['signJwt', 'SignJwt', ['delegates', 'payload'], iamcredentials.signJwt],
      ['signBlob', 'SignBlob', ['delegates', 'payload'], iamcredentials.signBlob],
    ] as const
  ).map(([verb, rpc, body, handle]): ApiRoute => ({
    service: IAM_CREDENTIALS,
    method: 'POST',
    path: `${ACCOUNT}:${verb}`,
    rpc: `google.iam.credentials.v1.IAMCredentials.${rpc}`,
    body,
    handle,
  })),

  ...(['v1', 'v3'] as const).flatMap((v): ApiRoute[] => {
    const rpc = `google.cloud.resourcemanager.${v}.Projects`;
    const project = `${v}/projects/{project}`;
    return [
      {service: CRM, method: 'GET', path: project, rpc: `${rpc}.GetProject`, readOnly: true, handle: v === 'v1' ? crm.getProjectV1 : crm.getProjectV3},
      {service: CRM, method: 'POST', path: `${project}:getIamPolicy`, rpc: `${rpc}.GetIamPolicy`, body: GET_POLICY_BODY, readOnly: true, handle: crm.getProjectIamPolicy},
      {service: CRM, method: 'POST', path: `${project}:setIamPolicy`, rpc: `${rpc}.SetIamPolicy`, body: POLICY_BODY, handle: crm.setProjectIamPolicy},
      {service: CRM, method: 'POST', path: `${project}:testIamPermissions`, rpc: `${rpc}.TestIamPermissions`, body: TEST_BODY, readOnly: true, handle: crm.testProjectIamPermissions},
    ];
  }),

  ...((): ApiRoute[] => {
    const rpc = 'google.devtools.artifactregistry.v1.ArtifactRegistry';
    const location = 'v1/projects/{project}/locations/{location}';
    const repositories = `${location}/repositories`;
    const repository = `${repositories}/{repository}`;
    const ar = ARTIFACT_REGISTRY;
    return [
      // gcloud 528 lists locations through v1beta2 (`artifacts repositories list` without --location).
      ...(['v1', 'v1beta2'] as const).map(
        (v): ApiRoute => ({service: ar, method: 'GET', path: `${v}/projects/{project}/locations`, rpc: 'google.cloud.location.Locations.ListLocations', readOnly: true, handle: artifactregistry.listLocations}),
      ),
      {service: ar, method: 'POST', path: repositories, rpc: `${rpc}.CreateRepository`, body: REPOSITORY_BODY, handle: artifactregistry.createRepository},
      {service: ar, method: 'GET', path: repositories, rpc: `${rpc}.ListRepositories`, readOnly: true, handle: artifactregistry.listRepositories},
      {service: ar, method: 'GET', path: repository, rpc: `${rpc}.GetRepository`, readOnly: true, handle: artifactregistry.getRepository},
      {service: ar, method: 'DELETE', path: repository, rpc: `${rpc}.DeleteRepository`, handle: artifactregistry.deleteRepository},
      {service: ar, method: 'GET', path: `${repository}:getIamPolicy`, rpc: `${rpc}.GetIamPolicy`, readOnly: true, handle: artifactregistry.getRepositoryIamPolicy},
      {service: ar, method: 'POST', path: `${repository}:setIamPolicy`, rpc: `${rpc}.SetIamPolicy`, body: POLICY_BODY, handle: artifactregistry.setRepositoryIamPolicy},
      {service: ar, method: 'POST', path: `${repository}:testIamPermissions`, rpc: `${rpc}.TestIamPermissions`, body: TEST_BODY, readOnly: true, handle: artifactregistry.testRepositoryIamPermissions},
      {service: ar, method: 'GET', path: `${location}/operations/{operation}`, rpc: 'google.longrunning.Operations.GetOperation', readOnly: true, handle: artifactregistry.getOperation},
    ];
  })(),

  ...((): ApiRoute[] => {
    const rpc = 'google.api.serviceusage.v1.ServiceUsage';
    const services = 'v1/projects/{project}/services';
    return [
      {service: SERVICE_USAGE, method: 'GET', path: services, rpc: `${rpc}.ListServices`, readOnly: true, handle: serviceusage.listServices},
      {service: SERVICE_USAGE, method: 'GET', path: `${services}/{service}`, rpc: `${rpc}.GetService`, readOnly: true, handle: serviceusage.getService},
      {service: SERVICE_USAGE, method: 'POST', path: `${services}/{service}:enable`, rpc: `${rpc}.EnableService`, body: [], handle: serviceusage.enableService},
      {service: SERVICE_USAGE, method: 'POST', path: `${services}:batchEnable`, rpc: `${rpc}.BatchEnableServices`, body: ['serviceIds'], handle: serviceusage.batchEnableServices},
      {
        service: SERVICE_USAGE,
        method: 'POST',
        path: `${services}/{service}:disable`,
        rpc: `${rpc}.DisableService`,
        body: ['disableDependentServices', 'checkIfServiceHasUsage'],
        handle: serviceusage.disableService,
      },
      {service: SERVICE_USAGE, method: 'GET', path: 'v1/operations/{operation}', rpc: 'google.longrunning.Operations.GetOperation', readOnly: true, handle: serviceusage.getOperation},
    ];
  })(),
  {
    service: ORG_POLICY,
    method: 'GET',
    path: 'v2/projects/{project}/policies/{policy}:getEffectivePolicy',
    rpc: 'google.cloud.orgpolicy.v2.OrgPolicy.GetEffectivePolicy',
    readOnly: true,
    handle: orgpolicy.getEffectivePolicy,
  },
];
