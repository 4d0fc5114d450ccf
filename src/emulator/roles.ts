/**
 * The emulator's predefined roles and the permissions each grants: the one table permission checks and
 * setIamPolicy read. Names are Google's; each role lists the subset of its real permissions that the emulated
 * APIs (and the registry front, registry.ts) check, empty for a role none of whose permissions they check.
 * A role not listed here, predefined or custom, cannot be granted: Google refuses a role it does not know,
 * and the emulator has no custom roles.
 */

const PROJECT_READ = ['resourcemanager.projects.get', 'resourcemanager.projects.list'];
const PROJECT_IAM_READ = ['resourcemanager.projects.getIamPolicy'];
const PROJECT_IAM_WRITE = ['resourcemanager.projects.setIamPolicy'];
const SERVICE_USAGE = ['serviceusage.services.use'];
const SERVICE_USAGE_READ = ['serviceusage.services.get', 'serviceusage.services.list'];
const SERVICE_USAGE_WRITE = ['serviceusage.services.enable', 'serviceusage.services.disable'];

const ACCOUNT_READ = ['iam.serviceAccounts.get', 'iam.serviceAccounts.list'];
const ACCOUNT_IAM_READ = ['iam.serviceAccounts.getIamPolicy'];
const ACCOUNT_IAM_WRITE = ['iam.serviceAccounts.setIamPolicy'];
const ACCOUNT_WRITE = [
  'iam.serviceAccounts.create',
  'iam.serviceAccounts.delete',
  'iam.serviceAccounts.disable',
  'iam.serviceAccounts.enable',
  'iam.serviceAccounts.undelete',
  'iam.serviceAccounts.update',
];
const ACT_AS = ['iam.serviceAccounts.actAs'];
/** Minting credentials as an account: deliberately not part of roles/owner or roles/editor, as at Google. */
const TOKEN_CREATION = [
  'iam.serviceAccounts.getAccessToken',
  'iam.serviceAccounts.getOpenIdToken',
  'iam.serviceAccounts.implicitDelegation',
  'iam.serviceAccounts.signBlob',
  'iam.serviceAccounts.signJwt',
];
const KEY_READ = ['iam.serviceAccountKeys.get', 'iam.serviceAccountKeys.list'];
const KEY_WRITE = [
  'iam.serviceAccountKeys.create',
  'iam.serviceAccountKeys.delete',
  'iam.serviceAccountKeys.disable',
  'iam.serviceAccountKeys.enable',
];

const POOL_READ = [
  'iam.workloadIdentityPools.get',
  'iam.workloadIdentityPools.list',
  'iam.workloadIdentityPoolProviders.get',
  'iam.workloadIdentityPoolProviders.list',
];
const POOL_WRITE = (['create', 'delete', 'undelete', 'update'] as const).flatMap((verb) => [
  `iam.workloadIdentityPools.${verb}`,
  `iam.workloadIdentityPoolProviders.${verb}`,
]);

const STORAGE_OBJECT_READ = ['storage.objects.get', 'storage.objects.list'];
const STORAGE_OBJECT_WRITE = ['storage.objects.create', 'storage.objects.delete', 'storage.objects.update'];
const STORAGE_BUCKET_READ = ['storage.buckets.get', 'storage.buckets.list'];
const STORAGE_ADMIN = [
  'storage.buckets.create',
  'storage.buckets.delete',
  'storage.buckets.getIamPolicy',
  'storage.buckets.setIamPolicy',
  'storage.buckets.update',
  'storage.objects.getIamPolicy',
  'storage.objects.setIamPolicy',
];

const REGISTRY_READ = [
  'artifactregistry.repositories.downloadArtifacts',
  'artifactregistry.repositories.get',
  'artifactregistry.repositories.list',
  'artifactregistry.dockerimages.get',
  'artifactregistry.dockerimages.list',
  'artifactregistry.tags.get',
  'artifactregistry.tags.list',
  'artifactregistry.versions.get',
  'artifactregistry.versions.list',
];
const REGISTRY_WRITE = ['artifactregistry.repositories.uploadArtifacts', 'artifactregistry.tags.create', 'artifactregistry.tags.update'];
const REGISTRY_DELETE = ['artifactregistry.repositories.deleteArtifacts', 'artifactregistry.tags.delete', 'artifactregistry.versions.delete'];
/** Creating a gcr.io repository by pushing to it (Google's createOnPush* roles, admin, owner and editor). */
const REGISTRY_CREATE_ON_PUSH = ['artifactregistry.repositories.createOnPush'];
const REGISTRY_ADMIN = [
  ...REGISTRY_CREATE_ON_PUSH,
  'artifactregistry.repositories.create',
  'artifactregistry.repositories.delete',
  'artifactregistry.repositories.update',
  'artifactregistry.repositories.getIamPolicy',
  'artifactregistry.repositories.setIamPolicy',
];

const VIEWER = [
  ...PROJECT_READ,
  ...PROJECT_IAM_READ,
  ...ACCOUNT_READ,
  ...ACCOUNT_IAM_READ,
  ...KEY_READ,
  ...POOL_READ,
  ...STORAGE_BUCKET_READ,
  ...SERVICE_USAGE_READ,
  'orgpolicy.policy.get',
  'artifactregistry.repositories.get',
  'artifactregistry.repositories.list',
];
const EDITOR = [
  ...VIEWER,
  ...SERVICE_USAGE,
  ...SERVICE_USAGE_WRITE,
  ...ACCOUNT_WRITE,
  ...ACT_AS,
  ...KEY_WRITE,
  ...POOL_WRITE,
  ...STORAGE_OBJECT_READ,
  ...STORAGE_OBJECT_WRITE,
  ...STORAGE_ADMIN.filter((p) => !p.endsWith('IamPolicy')),
  ...REGISTRY_READ,
  ...REGISTRY_WRITE,
  ...REGISTRY_DELETE,
  ...REGISTRY_ADMIN.filter((p) => !p.endsWith('IamPolicy')),
];
const OWNER = [...EDITOR, ...PROJECT_IAM_WRITE, ...ACCOUNT_IAM_WRITE, ...STORAGE_ADMIN, ...REGISTRY_ADMIN];

/** Role name → the permissions it grants. */
export const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  'roles/owner': OWNER,
  'roles/editor': EDITOR,
  'roles/viewer': VIEWER,
  'roles/browser': [...PROJECT_READ, ...PROJECT_IAM_READ],
  'roles/resourcemanager.projectIamAdmin': [...PROJECT_READ, ...PROJECT_IAM_READ, ...PROJECT_IAM_WRITE],
  'roles/iam.securityAdmin': [...PROJECT_READ, ...PROJECT_IAM_READ, ...PROJECT_IAM_WRITE, ...ACCOUNT_READ, ...ACCOUNT_IAM_READ, ...ACCOUNT_IAM_WRITE, ...KEY_READ],
  'roles/iam.securityReviewer': [...PROJECT_IAM_READ, ...ACCOUNT_READ, ...ACCOUNT_IAM_READ, ...KEY_READ],
  'roles/iam.serviceAccountAdmin': [...PROJECT_READ, ...ACCOUNT_READ, ...ACCOUNT_WRITE, ...ACCOUNT_IAM_READ, ...ACCOUNT_IAM_WRITE],
  'roles/iam.serviceAccountCreator': [...PROJECT_READ, 'iam.serviceAccounts.create'],
  'roles/iam.serviceAccountViewer': [...PROJECT_READ, ...ACCOUNT_READ, ...KEY_READ],
  'roles/iam.serviceAccountKeyAdmin': [...PROJECT_READ, ...ACCOUNT_READ, ...KEY_READ, ...KEY_WRITE],
  'roles/iam.serviceAccountUser': [...PROJECT_READ, ...ACCOUNT_READ, ...ACT_AS],
  'roles/iam.serviceAccountTokenCreator': [...PROJECT_READ, 'iam.serviceAccounts.get', ...TOKEN_CREATION],
  'roles/serviceusage.serviceUsageConsumer': [...SERVICE_USAGE, ...SERVICE_USAGE_READ],
  'roles/serviceusage.serviceUsageAdmin': [...SERVICE_USAGE, ...SERVICE_USAGE_READ, ...SERVICE_USAGE_WRITE],
  'roles/serviceusage.serviceUsageViewer': [...SERVICE_USAGE_READ],
  'roles/storage.admin': [...PROJECT_READ, ...STORAGE_BUCKET_READ, ...STORAGE_OBJECT_READ, ...STORAGE_OBJECT_WRITE, ...STORAGE_ADMIN],
  'roles/storage.objectAdmin': [...PROJECT_READ, ...STORAGE_OBJECT_READ, ...STORAGE_OBJECT_WRITE],
  'roles/storage.objectCreator': [...PROJECT_READ, 'storage.objects.create'],
  'roles/storage.objectViewer': [...PROJECT_READ, ...STORAGE_OBJECT_READ],
  'roles/artifactregistry.reader': [...PROJECT_READ, ...REGISTRY_READ],
  'roles/artifactregistry.writer': [...PROJECT_READ, ...REGISTRY_READ, ...REGISTRY_WRITE],
  'roles/artifactregistry.repoAdmin': [...PROJECT_READ, ...REGISTRY_READ, ...REGISTRY_WRITE, ...REGISTRY_DELETE],
  'roles/artifactregistry.admin': [...PROJECT_READ, ...REGISTRY_READ, ...REGISTRY_WRITE, ...REGISTRY_DELETE, ...REGISTRY_ADMIN],
  'roles/artifactregistry.createOnPushWriter': [...PROJECT_READ, ...REGISTRY_READ, ...REGISTRY_WRITE, ...REGISTRY_CREATE_ON_PUSH],
  'roles/artifactregistry.createOnPushRepoAdmin': [...PROJECT_READ, ...REGISTRY_READ, ...REGISTRY_WRITE, ...REGISTRY_DELETE, ...REGISTRY_CREATE_ON_PUSH],
  'roles/iam.serviceAccountOpenIdTokenCreator': ['iam.serviceAccounts.getOpenIdToken'],
  'roles/iam.workloadIdentityPoolAdmin': [...PROJECT_READ, ...POOL_READ, ...POOL_WRITE],
  'roles/iam.workloadIdentityPoolViewer': [...PROJECT_READ, ...POOL_READ],
  'roles/iam.workloadIdentityUser': [...ACCOUNT_READ, 'iam.serviceAccounts.getAccessToken', 'iam.serviceAccounts.getOpenIdToken'],
  // Roles of services the emulator does not serve, often granted by the scripts it runs: grantable, checking nothing here.
  'roles/cloudbuild.builds.editor': [],
  'roles/cloudsql.client': [],
  'roles/compute.admin': [],
  'roles/compute.viewer': [],
  'roles/container.admin': [],
  'roles/container.developer': [],
  'roles/logging.logWriter': [],
  'roles/logging.viewer': [],
  'roles/monitoring.metricWriter': [],
  'roles/monitoring.viewer': [],
  'roles/pubsub.publisher': [],
  'roles/pubsub.subscriber': [],
  'roles/pubsub.viewer': [],
  'roles/run.admin': [],
  'roles/run.developer': [],
  'roles/run.invoker': [],
  'roles/secretmanager.secretAccessor': [],
};

/** Google's basic (formerly primitive) roles: they cannot carry a condition. */
export const BASIC_ROLES: ReadonlySet<string> = new Set(['roles/owner', 'roles/editor', 'roles/viewer']);

/** The permissions `role` grants; none for a role the emulator does not know. */
export function permissionsOf(role: string): readonly string[] {
  return Object.hasOwn(ROLE_PERMISSIONS, role) ? (ROLE_PERMISSIONS[role] ?? []) : [];
}

/** The kinds of resource whose policies the emulator keeps. */
export type PolicyResource = 'project' | 'serviceAccount' | 'repository';

/** Permissions that act on one service account (creating and listing act on its project). */
const onServiceAccount = (permission: string) =>
  (permission.startsWith('iam.serviceAccounts.') && permission !== 'iam.serviceAccounts.create' && permission !== 'iam.serviceAccounts.list') ||
  permission.startsWith('iam.serviceAccountKeys.');

/**
 * Whether `role` may be granted on a `resource`: a project takes any role the emulator knows; a service
 * account, as at Google, only a role with a permission on service accounts (roles/storage.admin is refused there);
 * an Artifact Registry repository only a role with an Artifact Registry permission (basic roles included).
 */
export function grantableOn(role: string, resource: PolicyResource): boolean {
  if (!Object.hasOwn(ROLE_PERMISSIONS, role)) return false;
  if (resource === 'repository') return permissionsOf(role).some((p) => p.startsWith('artifactregistry.'));
  return resource === 'project' || permissionsOf(role).some(onServiceAccount);
}
