import {specCommand} from '../../lib/cli/base-command.js';
import {printIdentityTokenSpec} from '../../lib/specs/auth/print-identity-token.js';

export default class PrintIdentityToken extends specCommand(printIdentityTokenSpec) {}
