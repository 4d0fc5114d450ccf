import {specCommand} from '../../../../lib/cli/base-command.js';
import {keyStateSpec} from '../../../../lib/specs/iam/key-state.js';

export const spec = keyStateSpec(true);

export default class Disable extends specCommand(spec) {}
