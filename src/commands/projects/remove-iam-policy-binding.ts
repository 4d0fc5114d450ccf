import {specCommand} from '../../lib/cli/base-command.js';
import {projectsRemoveIamPolicyBindingSpec} from '../../lib/specs/projects/remove-iam-policy-binding.js';

export default class RemoveIamPolicyBinding extends specCommand(projectsRemoveIamPolicyBindingSpec) {}
