/**
 * The README's role table is ARTIFACT_REGISTRY_ROLES, the table the repository role check and doctor use: a role
 * added or changed in one place and not the other fails here.
 */
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

import {ARTIFACT_REGISTRY_ROLES, REPOSITORY_ROLE_RULES} from '../../src/lib/artifacts/repositories.js';
import {UsageError} from '../../src/lib/errors.js';

const README = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md'), 'utf8');

test("the README's role table says what ARTIFACT_REGISTRY_ROLES says, row for row", () => {
  const rows = README.split('\n')
    .filter((line) => line.startsWith('| `roles/artifactregistry.'))
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
  const yes = (cell: string | undefined) => cell!.startsWith('yes');
  expect(Object.fromEntries(rows.map(([role, pull, push, del, create]) => [role!.replaceAll('`', ''), {pull: yes(pull), push: yes(push), deleteImages: yes(del), createOnPush: yes(create)}]))).toEqual(
    ARTIFACT_REGISTRY_ROLES,
  );
});

test('a repository takes Artifact Registry, basic and custom roles, and refuses other predefined ones in Google\'s words', () => {
  for (const role of [...Object.keys(ARTIFACT_REGISTRY_ROLES), 'roles/viewer', 'projects/p/roles/pusher', 'organizations/1/roles/pusher']) {
    expect(() => REPOSITORY_ROLE_RULES.checkRole!(role)).not.toThrow();
  }
  expect(() => REPOSITORY_ROLE_RULES.checkRole!('roles/storage.admin')).toThrow(new UsageError('Role roles/storage.admin is not supported for this resource.'));
});
