import {Flags} from '@oclif/core';

/** Flags shared by every add-/remove-iam-policy-binding command. */
export const bindingFlags = {
  member: Flags.string({
    required: true,
    description: 'Principal: user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, principal://..., principalSet://..., allUsers or allAuthenticatedUsers.',
  }),
  role: Flags.string({required: true, description: 'Role: roles/NAME, projects/PROJECT/roles/NAME or organizations/ID/roles/NAME.'}),
  condition: Flags.string({
    description: 'Condition of the binding: expression=EXPR,title=TITLE[,description=DESC], or None for an unconditional binding.',
    exclusive: ['condition-from-file'],
  }),
  'condition-from-file': Flags.string({description: 'JSON or YAML file with the condition: expression, title and optional description.'}),
  'dry-run': Flags.boolean({description: 'Print the policy that would be written, and whether you may write it; change nothing.'}),
};
