/** What every check of `gcauth doctor IMAGE` says on a healthy machine with a granted account, off a VM. */
export const HEALTHY_VERDICTS = {
  'docker-cli': 'ok',
  'docker-group': 'ok',
  'docker-config': 'ok',
  'docker-auths': 'ok',
  'config-dir': 'ok',
  helper: 'ok',
  'helper-fast-path': 'ok',
  account: 'ok',
  federation: 'skip',
  'vm-scopes': 'skip',
  'registry-api': 'ok',
  'registry-pull': 'ok',
  'registry-push': 'ok',
  'token-lifetime': 'skip',
  'key-age': 'ok',
  'key-policy': 'ok',
} as const;
