import type {FlagsSpec} from '../cli/command-spec.js';

/** Flags shared by every add-/remove-iam-policy-binding command, as data (command-spec.ts). */
export const BINDING_FLAGS = {
  member: {
    type: 'option',
    required: true,
    description: 'Principal: user:EMAIL, serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, principal://..., principalSet://..., allUsers or allAuthenticatedUsers.',
  },
  role: {type: 'option', required: true, description: 'Role: roles/NAME, projects/PROJECT/roles/NAME or organizations/ID/roles/NAME.'},
  condition: {
    type: 'option',
    description: 'Condition of the binding: expression=EXPR,title=TITLE[,description=DESC], or None for an unconditional binding.',
    exclusive: ['condition-from-file'],
  },
  'condition-from-file': {type: 'option', description: 'JSON or YAML file with the condition: expression, title and optional description.'},
  'dry-run': {type: 'boolean', description: 'Print the policy that would be written, and whether you may write it; change nothing.'},
} as const satisfies FlagsSpec;

/** remove-iam-policy-binding's flags: the binding flags and --all. */
export const REMOVE_BINDING_FLAGS = {
  ...BINDING_FLAGS,
  all: {type: 'boolean', description: 'Remove the member from every binding of the role, whatever its condition.'},
} as const satisfies FlagsSpec;
