/** Starting the user's browser on a URL. */
import {AuthError} from '../../errors.js';

/**
 * The command that opens a URL: `BROWSER` (its first `:`-separated entry, split on spaces; `%s` stands for
 * the URL, else the URL is appended), else xdg-open, open (macOS) or rundll32's URL handler (Windows).
 */
export function browserCommand(url: string, env: Record<string, string | undefined>, platform: NodeJS.Platform): {file: string; args: string[]} {
  const configured = env.BROWSER?.split(':')[0]?.trim();
  if (configured) {
    const [file, ...rest] = configured.split(/\s+/);
    const args = rest.some((a) => a.includes('%s')) ? rest.map((a) => a.replaceAll('%s', url)) : [...rest, url];
    return {file: file!, args};
  }
  if (platform === 'darwin') return {file: 'open', args: [url]};
  // Not `cmd /c start`: cmd.exe parses the line again, so the URL's `&`s end the command unless escaped for it, and
  // Node's quoting of the `""` title is not cmd's. rundll32 takes the URL as one argument, as Go's and gh's openers do.
  if (platform === 'win32') return {file: 'rundll32', args: ['url.dll,FileProtocolHandler', url]};
  return {file: 'xdg-open', args: [url]};
}

/**
 * Starts the browser detached and does not wait for it (a browser may run for hours); a command that cannot
 * be started, or that fails at once, is reported through onFailure while the login keeps waiting.
 * @throws AuthError when the command cannot be started at all.
 */
export async function openBrowser(
  url: string,
  options: {env: Record<string, string | undefined>; platform: NodeJS.Platform; onFailure: (message: string) => void},
): Promise<void> {
  const {execa} = await import('execa');
  const {file, args} = browserCommand(url, options.env, options.platform);
  const child = execa(file, args, {
    env: options.env,
    extendEnv: false,
    detached: true,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
    reject: false,
    cleanup: false,
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (error) => reject(new AuthError(`${file}: ${error.message}`)));
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  void child.then((result) => {
    if (result.exitCode) options.onFailure(`The browser command ${file} exited with code ${result.exitCode}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
  });
  child.unref();
  (child.stderr as unknown as {unref?: () => void} | null)?.unref?.();
}
