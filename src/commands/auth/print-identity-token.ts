import {specCommand} from '../../lib/base-command.js';
import {printIdentityTokenSpec} from '../../lib/specs/auth/print-identity-token.js';

export default class PrintIdentityToken extends specCommand(printIdentityTokenSpec) {}
