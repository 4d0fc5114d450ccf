import {specCommand} from '../../lib/cli/base-command.js';
import {projectsAddIamPolicyBindingSpec} from '../../lib/specs/projects/add-iam-policy-binding.js';

export default class AddIamPolicyBinding extends specCommand(projectsAddIamPolicyBindingSpec) {}
